// itc-bench dag: the DAG engine (plugins/cyber/dag) on this machine — the Ed25519
// verification ceiling, transactions admitted per second through decode + admission +
// tangle (device-signed, and gateway bundles as readings/s), milestone finalisation per
// 1,000 transactions, PoW per security level, and bytes held per pending transaction.
// Medians of repeated rounds in one process. The engine's rates and PoW are set so the
// policy does not throttle the measurement (a verifier pays one hash for any difficulty).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bench.hpp"
#include "dag_engine.hpp"
#include "issuer.hpp"
#include "itc/canonical_bytes.hpp"
#include "parameters.hpp"

namespace itc::bench {
namespace {

constexpr std::int64_t kNow = 1'800'000'000'000'000;
constexpr int kRounds = 5;
constexpr int kLamps = 1000;
constexpr int kBundleReadings = 256;

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  double pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE));
}

crypto::Ed25519PrivateKey key(const std::string& name) {
  return *crypto::Ed25519PrivateKey::from_seed(crypto::sha256("bench-dag:" + name));
}

v1::Reading reading(const std::string& device, double value) {
  v1::Reading r;
  r.set_device_id(device);
  r.set_metric("power");
  r.set_value(value);
  r.set_unit("W");
  r.set_quality(v1::QUALITY_GOOD);
  r.set_sampled_at_us(kNow);
  return r;
}

// Lamps that may also pay each other, a gateway, and transactions approving two of the
// 64 latest (a tangle of realistic width, no engine needed to make it).
struct Workload {
  dag::InMemoryIssuerDirectory directory;
  std::vector<dag::TransactionIssuer> lamps;
  std::vector<std::string> lamp_ids;
  std::map<std::string, std::uint64_t> balances;
  std::vector<std::string> entry = {crypto::sha256("entry-0"), crypto::sha256("entry-1")};
  std::vector<std::string> recent = entry;
  std::mt19937_64 rng{42};

  Workload() {
    for (int i = 0; i < kLamps; ++i) {
      auto k = key("lamp-" + std::to_string(i));
      lamp_ids.push_back("lamp-" + std::to_string(i));
      directory.put(k.public_key(), {dag::IssuerKind::kDevice, "lamp", 0, lamp_ids.back()});
      balances[k.public_key()] = 1000;
      lamps.emplace_back(std::move(k), 0);
    }
    const std::string gateway = key("gateway").public_key();
    directory.put(gateway, {dag::IssuerKind::kGateway, "gateway", 0, ""});
    for (int r = 0; r < kBundleReadings; ++r)
      directory.put_gateway_device("modbus-" + std::to_string(r), gateway);
  }
  std::vector<std::string> parents() {
    std::uniform_int_distribution<std::size_t> pick(0, recent.size() - 1);
    std::string a = recent[pick(rng)], b = recent[pick(rng)];
    while (b == a) b = recent[pick(rng)];
    return {a, b};
  }
  std::string keep(const v1::DeviceTransaction& tx) {
    recent.push_back(dag::transaction_id(tx));
    if (recent.size() > 64) recent.erase(recent.begin());
    return deterministic_bytes(tx);
  }
  // `n` lamp transactions, every fifth a transfer of 1..600 to another lamp (some fail).
  std::vector<std::string> lamp_transactions(int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      auto& lamp = lamps[static_cast<std::size_t>(i % kLamps)];
      if (i % 5 == 4) {
        const auto& to = lamps[static_cast<std::size_t>((i * 7 + 1) % kLamps)].public_key();
        out.push_back(keep(
            lamp.issue_transfer(to, 1 + static_cast<std::uint64_t>(i % 600), parents(), kNow)));
      } else {
        out.push_back(keep(lamp.issue_readings(
            {reading(lamp_ids[static_cast<std::size_t>(i % kLamps)], i)}, parents(), kNow)));
      }
    }
    return out;
  }
  std::vector<std::string> gateway_bundles(int n, int readings) {
    dag::TransactionIssuer gateway(key("gateway"), 0);
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      std::vector<v1::Reading> rs;
      for (int r = 0; r < readings; ++r) rs.push_back(reading("modbus-" + std::to_string(r), i));
      out.push_back(keep(gateway.issue_readings(std::move(rs), parents(), kNow)));
    }
    return out;
  }
  std::unique_ptr<dag::DagEngine> engine() const {
    dag::DagOptions o;
    o.params = dag::default_parameters();
    for (auto& l : *o.params.mutable_levels()) {
      l.mutable_base()->set_pow_bits(0);
      l.mutable_base()->set_rate_per_s(1e9);
      l.mutable_base()->set_burst(1'000'000'000);
    }
    o.params.set_max_tips(100'000);  // the milestone names every tip
    o.params.set_tip_max_approvers(1'000'000);
    o.entry_points = entry;
    o.balances = balances;
    return std::move(dag::DagEngine::create(std::move(o), directory).value());
  }
};

// Submits all; exits if any is not admitted (the workload is valid by construction).
double submit_all(dag::DagEngine& engine, const std::vector<std::string>& txs) {
  const auto t0 = Clock::now();
  for (const auto& tx : txs) {
    const auto r = engine.submit(tx, kNow);
    if (r.outcome != dag::SubmitResult::Outcome::kAdmitted) {
      std::fprintf(stderr, "bench dag: not admitted: %s\n", r.message.c_str());
      std::exit(1);
    }
  }
  return seconds_since(t0);
}

// Ed25519 verifications per second of the workload's own signatures: the ceiling.
struct VerifyCeiling {
  std::vector<v1::DeviceTransaction> parsed;
  std::vector<std::string> messages;
  explicit VerifyCeiling(const std::vector<std::string>& txs) : parsed(txs.size()) {
    for (std::size_t i = 0; i < txs.size(); ++i) {
      parsed[i].ParseFromString(txs[i]);
      messages.push_back(dag::signed_bytes(parsed[i]));
    }
  }
  double rate() const {
    const auto t0 = Clock::now();
    for (std::size_t i = 0; i < parsed.size(); ++i)
      if (!crypto::ed25519_verify(parsed[i].issuer_public_key(), messages[i],
                                  parsed[i].signature()))
        std::exit(1);
    return static_cast<double>(parsed.size()) / seconds_since(t0);
  }
};

void bench_pow() {
  std::printf(
      "  PoW per security level (median of solves; SHA-256 tries mean; at 80 MHz est.\n"
      "  with 23,000 cycles per compression, Cortex-M0 worst case):\n");
  for (const int bits : {8, 12, 16}) {
    const int solves = bits == 16 ? 16 : 64;
    std::vector<double> ms;
    std::uint64_t tries = 0;
    for (int i = 0; i < solves; ++i) {
      const std::string digest = crypto::sha256("pow-body-" + std::to_string(bits * 1000 + i));
      const auto t0 = Clock::now();
      (void)dag::solve_pow(digest, bits, 0, &tries);
      ms.push_back(seconds_since(t0) * 1e3);
    }
    const double mean_tries = static_cast<double>(tries) / solves;
    std::printf("    %2d bits  %9.2f ms here  %9.0f tries  %8.2f s at 80 MHz\n", bits, median(ms),
                mean_tries, mean_tries * 23'000 / 80e6);
  }
}

}  // namespace

int bench_dag() {
  std::printf("dag engine (medians of %d rounds)\n", kRounds);
  Workload w;
  const auto lamp_txs = w.lamp_transactions(5000);
  w.recent = w.entry;
  const auto bundles = w.gateway_bundles(200, kBundleReadings);
  const VerifyCeiling verify(lamp_txs);

  // Each round measures the ceiling next to the engine, so their ratio holds under load.
  std::vector<double> ceilings, device_rates, ratios, bundle_rates, finalise_ms, cones;
  for (int round = 0; round < kRounds; ++round) {
    ceilings.push_back(verify.rate());
    auto engine = w.engine();
    device_rates.push_back(static_cast<double>(lamp_txs.size()) / submit_all(*engine, lamp_txs));
    ratios.push_back(device_rates.back() / ceilings.back());
    const auto tips = engine->select_tips(100'000, kNow);
    const auto t0 = Clock::now();
    const auto m = engine->apply_milestone(1, tips);
    const double secs = seconds_since(t0);
    if (!m.ok()) std::exit(1);
    const double cone = static_cast<double>(m->included.size() + m->conflicting.size());
    cones.push_back(cone);
    finalise_ms.push_back(secs * 1e3 * 1000 / cone);
    auto gw_engine = w.engine();
    bundle_rates.push_back(static_cast<double>(bundles.size() * kBundleReadings) /
                           submit_all(*gw_engine, bundles));
  }
  std::printf("  Ed25519 verify (the ceiling)      %12.0f /s\n", median(ceilings));
  std::printf(
      "  device-signed txs admitted        %12.0f /s (median ratio %.0f%% of the ceiling)\n",
      median(device_rates), 100 * median(ratios));
  std::printf("  gateway bundles (%d readings)    %12.0f readings/s\n", kBundleReadings,
              median(bundle_rates));
  std::printf(
      "  milestone finalisation            %12.2f ms per 1,000 txs (cone %.0f txs,\n"
      "                                    20%% transfers, state root over %d accounts)\n",
      median(finalise_ms), median(cones), kLamps);

  // Memory: 100,000 pending transactions held (no milestone).
  w.recent = w.entry;
  const auto many = w.lamp_transactions(100'000);
  auto engine = w.engine();
  const double before = rss_bytes();
  (void)submit_all(*engine, many);
  const double after = rss_bytes();
  std::printf("  memory held                       %12.0f bytes/pending tx (RSS delta, 100,000)\n",
              (after - before) / static_cast<double>(many.size()));
  bench_pow();
  return 0;
}

}  // namespace itc::bench
