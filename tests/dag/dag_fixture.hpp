// What the DAG tests share: a small registered fleet (deterministic keys), an engine over
// it with low PoW levels (so tests run fast yet the PoW rule still bites), and issuing.
#pragma once

#include <QtTest>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dag_engine.hpp"
#include "issuer.hpp"
#include "itc/canonical_bytes.hpp"
#include "itc/crypto.hpp"
#include "parameters.hpp"

namespace itc::dag::testing {

inline constexpr std::int64_t kNow = 1'800'000'000'000'000;  // µs

inline crypto::Ed25519PrivateKey key_for(const std::string& name) {
  return *crypto::Ed25519PrivateKey::from_seed(crypto::sha256("dag-test-key:" + name));
}

inline std::vector<std::string> entry_points() {
  return {crypto::sha256("entry-0"), crypto::sha256("entry-1")};
}

// Lamps pay 6 bits of PoW and issue 5/s (burst 5); gateways 4 bits, 1000/s.
inline v1::DagParameters test_parameters() {
  v1::DagParameters p = default_parameters();
  for (auto& l : *p.mutable_levels()) {
    const bool gateway = l.device_class() == "gateway";
    l.mutable_base()->set_pow_bits(gateway ? 4 : 6);
    l.mutable_base()->set_rate_per_s(gateway ? 1000 : 5);
    l.mutable_base()->set_burst(gateway ? 1000 : 5);
  }
  return p;
}

struct Fleet {
  InMemoryIssuerDirectory directory;
  std::map<std::string, std::unique_ptr<TransactionIssuer>> issuers;

  TransactionIssuer& lamp(const std::string& name) {
    auto& slot = issuers[name];
    if (!slot) {
      auto key = key_for(name);
      directory.put(key.public_key(), IssuerInfo{IssuerKind::kDevice, "lamp", 0, name});
      slot = std::make_unique<TransactionIssuer>(std::move(key), 6);
    }
    return *slot;
  }
  // A gateway for the devices named (registered through it at its first use).
  TransactionIssuer& gateway(const std::string& name,
                             const std::vector<std::string>& devices = {"x"}) {
    auto& slot = issuers[name];
    if (!slot) {
      auto key = key_for(name);
      directory.put(key.public_key(), IssuerInfo{IssuerKind::kGateway, "gateway", 0, ""});
      for (const auto& d : devices) directory.put_gateway_device(d, key.public_key());
      slot = std::make_unique<TransactionIssuer>(std::move(key), 4);
    }
    return *slot;
  }
};

inline std::unique_ptr<DagEngine> make_engine(const Fleet& fleet,
                                              std::map<std::string, std::uint64_t> balances = {},
                                              std::uint64_t seed = 1,
                                              v1::DagParameters params = test_parameters()) {
  DagOptions o;
  o.params = std::move(params);
  o.entry_points = entry_points();
  o.balances = std::move(balances);
  o.tip_seed = seed;
  return std::move(DagEngine::create(std::move(o), fleet.directory).value());
}

inline v1::Reading reading(const std::string& device, double value) {
  v1::Reading r;
  r.set_device_id(device);
  r.set_metric("power");
  r.set_value(value);
  r.set_unit("W");
  r.set_quality(v1::QUALITY_GOOD);
  return r;
}

inline v1::DeviceTransaction lamp_reading(Fleet& fleet, const std::string& lamp,
                                          const std::vector<std::string>& parents,
                                          std::int64_t now = kNow, double value = 1) {
  return fleet.lamp(lamp).issue_readings({reading(lamp, value)}, parents, now);
}

inline std::string bytes_of(const v1::DeviceTransaction& tx) { return deterministic_bytes(tx); }

// Submits `tx` at `now`; the test stops if it is not admitted. Returns its id.
inline std::string admit(DagEngine& engine, const v1::DeviceTransaction& tx,
                         std::int64_t now = kNow) {
  const auto r = engine.submit(bytes_of(tx), now);
  if (r.outcome != SubmitResult::Outcome::kAdmitted) qFatal("not admitted: %s", r.message.c_str());
  return r.id;
}

// `r` is a refusal for `reason` whose message contains `words`.
inline void expect_refusal(const SubmitResult& r, Refusal reason, const char* words) {
  QCOMPARE(static_cast<int>(r.outcome), static_cast<int>(SubmitResult::Outcome::kRefused));
  QCOMPARE(QString::fromStdString(std::string(refusal_name(r.reason))),
           QString::fromStdString(std::string(refusal_name(reason))));
  QVERIFY2(r.message.find(words) != std::string::npos, r.message.c_str());
}

inline std::string id_of(const v1::DeviceTransaction& tx) { return transaction_id(tx); }

}  // namespace itc::dag::testing
