// A device transaction as a device, gateway or peer sends it: the decoder
// (dag::decode_transaction) and the DagEngine's admission on a fresh engine — issue time,
// issuer, readings' device, PoW, signature, rate, parents (missing ones wait) — and, when
// it is admitted, the milestone that makes it final and its inclusion proof.
// Input: a serialized v1::DeviceTransaction. The registered issuers are two keys whose
// seeds are SHA-256("dag-fuzz:lamp-1") (a lamp, device id "lamp-1") and
// SHA-256("dag-fuzz:gateway") (a gateway for devices modbus-0..9); the entry points are
// SHA-256("entry-0") and SHA-256("entry-1"); local time 1,800,000,000 s. Seeds
// (corpus/dag_transaction/): a lamp's reading, a gateway bundle of 10 readings, a lamp's
// micro-transfer (the lamp holds 100), one with a missing parent, a truncated one. PoW: 2 bits for
// both classes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dag_engine.hpp"
#include "itc/crypto.hpp"
#include "parameters.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace itc;
  static const auto directory = [] {
    auto d = std::make_unique<dag::InMemoryIssuerDirectory>();
    auto key = [](const char* name) {
      return crypto::Ed25519PrivateKey::from_seed(crypto::sha256(std::string("dag-fuzz:") + name))
          .value()
          .public_key();
    };
    d->put(key("lamp-1"), {dag::IssuerKind::kDevice, "lamp", 0, "lamp-1"});
    d->put(key("gateway"), {dag::IssuerKind::kGateway, "gateway", 0, ""});
    for (int i = 0; i < 10; ++i)
      d->put_gateway_device("modbus-" + std::to_string(i), key("gateway"));
    return d;
  }();
  static const std::string lamp_account =
      crypto::Ed25519PrivateKey::from_seed(crypto::sha256("dag-fuzz:lamp-1")).value().public_key();
  constexpr std::int64_t kNow = 1'800'000'000'000'000;

  dag::DagOptions options;
  options.params = dag::default_parameters();
  for (auto& level : *options.params.mutable_levels()) level.mutable_base()->set_pow_bits(2);
  options.entry_points = {crypto::sha256("entry-0"), crypto::sha256("entry-1")};
  options.balances = {{lamp_account, 100}};
  auto engine = dag::DagEngine::create(std::move(options), *directory);
  if (!engine.ok()) __builtin_trap();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto result = (*engine)->submit(bytes, kNow);
  if (result.outcome != dag::SubmitResult::Outcome::kAdmitted) return 0;
  // Admitted once: the same bytes again are a duplicate, never a second admission.
  if ((*engine)->submit(bytes, kNow).reason != dag::Refusal::kDuplicate) __builtin_trap();
  const auto milestone = (*engine)->apply_milestone(1, {result.id});
  if (!milestone.ok()) __builtin_trap();
  const auto status = (*engine)->status(result.id);
  if (status.state == dag::TxStatus::State::kFinal) {
    const auto proof = (*engine)->proof(result.id);
    if (!proof.ok() || !dag::verify_inclusion_proof(result.id, *proof, milestone->inclusion_root))
      __builtin_trap();
  } else if (status.state != dag::TxStatus::State::kConflicting) {
    __builtin_trap();
  }
  return 0;
}
