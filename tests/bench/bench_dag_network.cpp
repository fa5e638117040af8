// The DAG side chain on 4 validators (bench_network.hpp, `pbft` with `dag: true`): device
// transactions made final per second, and the time from submitting one to its being final,
// beside the machine's Ed25519 verification ceiling measured in the same run (each
// validator verifies each device signature once).
// The transactions are issued (PoW, signature) before the clock starts: 4,000 registered
// lamps, two each, every one approving two of the 64 issued just before it; they are then
// submitted as fast as the validators take them, a quarter to each validator (4 threads),
// and every 10th is timed by polling its status on the validator it was submitted to.
#include <atomic>
#include <mutex>
#include <random>

#include "bench_network.hpp"
#include "issuer.hpp"
#include "itc/canonical_bytes.hpp"
#include "itc/services/device_transactions.hpp"
#include "transaction.hpp"

namespace itc::bench {
namespace {

constexpr int kLamps = 4000;
constexpr int kPerLamp = 2;
constexpr int kTimedEvery = 10;

using SteadyClock = std::chrono::steady_clock;

std::int64_t unix_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

crypto::Ed25519PrivateKey lamp_key(int i) {
  return *crypto::Ed25519PrivateKey::from_seed(crypto::sha256("bench-lamp-" + std::to_string(i)));
}

struct Issued {
  std::string id;
  std::string bytes;
};

// Issues kLamps * kPerLamp readings transactions on top of `entry` (two tips of an empty DAG).
std::vector<Issued> issue_all(const std::vector<std::string>& entry) {
  std::vector<Issued> out;
  std::mt19937_64 rng(7);
  std::vector<std::unique_ptr<dag::TransactionIssuer>> issuers;
  for (int i = 0; i < kLamps; ++i)
    issuers.push_back(std::make_unique<dag::TransactionIssuer>(lamp_key(i), 12));
  for (int n = 0; n < kLamps * kPerLamp; ++n) {
    std::vector<std::string> parents = entry;
    if (out.size() >= 2) {
      const std::size_t window = std::min<std::size_t>(64, out.size());
      std::uniform_int_distribution<std::size_t> pick(out.size() - window, out.size() - 1);
      const std::size_t a = pick(rng);
      std::size_t b = pick(rng);
      while (b == a) b = pick(rng);
      parents = {out[a].id, out[b].id};
    }
    v1::Reading r;
    r.set_device_id("lamp-" + std::to_string(n % kLamps));
    r.set_metric("power");
    r.set_value(40.0 + n % 7);
    r.set_unit("W");
    r.set_sampled_at_us(unix_us());
    auto tx =
        issuers[static_cast<std::size_t>(n % kLamps)]->issue_readings({r}, parents, unix_us());
    out.push_back({dag::transaction_id(tx), deterministic_bytes(tx)});
  }
  return out;
}

}  // namespace

int bench_dag_network() {
  std::printf(
      "dag-network: 4 validators (f=1) carrying the DAG, TLS on loopback, votes fsynced, "
      "milestones every 100 ms\n");
  const double ceiling = verification_ceiling() / kValidators;
  Network net(", dag: true, milestone_interval_ms: 100", [](v1::Genesis& g) {
    for (int i = 0; i < kLamps; ++i) {
      auto* d = g.add_devices();
      d->set_device_id("lamp-" + std::to_string(i));
      d->set_profile("lamp");
      d->set_device_public_key(lamp_key(i).public_key());
      d->set_owner(lamp_key(0).public_key());
    }
  });
  std::vector<DeviceTransactions*> dag;
  for (int i = 0; i < kValidators; ++i) dag.push_back(net.service<DeviceTransactions>(i));
  const v1::DagTips first = dag[0]->tips(2);
  const std::vector<std::string> entry(first.tips().begin(), first.tips().end());
  auto t_issue = SteadyClock::now();
  const std::vector<Issued> txs = issue_all(entry);
  const double issue_s = std::chrono::duration<double>(SteadyClock::now() - t_issue).count();
  std::printf("  issued %zu transactions (12-bit PoW, Ed25519) in %.1f s before the clock starts\n",
              txs.size(), issue_s);

  // Submit: validator v takes transactions v, v+4, ...; a transaction's parents were issued
  // before it, and each thread submits in issue order.
  std::vector<SteadyClock::time_point> sent(txs.size());
  std::atomic<std::uint64_t> refused{0};
  std::mutex mu;
  std::string first_refusal;
  const auto t0 = SteadyClock::now();
  std::vector<std::thread> submitters;
  for (int v = 0; v < kValidators; ++v) {
    submitters.emplace_back([&, v] {
      for (std::size_t n = static_cast<std::size_t>(v); n < txs.size(); n += kValidators) {
        sent[n] = SteadyClock::now();
        const v1::DagSubmitResult r = dag[static_cast<std::size_t>(v)]->submit(txs[n].bytes);
        if (r.outcome() == "refused") {
          if (refused++ == 0) {
            std::lock_guard lock(mu);
            first_refusal = r.reason() + ": " + r.message();
          }
        }
      }
    });
  }
  for (auto& t : submitters) t.join();
  const double submit_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();

  // Finality of every 10th, polled on the validator it went to; the last one bounds the run.
  std::vector<double> latencies;
  std::vector<std::size_t> open;
  for (std::size_t n = 0; n < txs.size(); n += kTimedEvery) open.push_back(n);
  open.push_back(txs.size() - 1);
  const auto deadline = SteadyClock::now() + std::chrono::seconds(120);
  SteadyClock::time_point last_final = t0;
  while (!open.empty() && SteadyClock::now() < deadline) {
    std::vector<std::size_t> still;
    for (std::size_t n : open) {
      const auto v = n % kValidators;
      if (dag[v]->status(txs[n].id).state() != "final") {
        still.push_back(n);
        continue;
      }
      const auto now = SteadyClock::now();
      latencies.push_back(std::chrono::duration<double, std::milli>(now - sent[n]).count());
      last_final = std::max(last_final, now);
    }
    open.swap(still);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double final_s = std::chrono::duration<double>(last_final - t0).count();
  std::printf("  submitted %zu in %.2f s (%.0f/s), %llu refused%s%s\n", txs.size(), submit_s,
              static_cast<double>(txs.size()) / submit_s,
              static_cast<unsigned long long>(refused.load()),
              first_refusal.empty() ? "" : ", e.g. ", first_refusal.c_str());
  if (!open.empty()) {
    std::printf("  %zu timed transactions not final after 120 s: not met\n", open.size());
    return 1;
  }
  const double rate = static_cast<double>(txs.size()) / final_s;
  std::printf(
      "  device-signed transactions final: %.0f/s (all %zu final %.2f s after the first "
      "was sent)\n",
      rate, txs.size(), final_s);
  std::printf("  ceiling: %.0f Ed25519 verifications/s per validator -> %.0f%% of it\n", ceiling,
              100.0 * rate / ceiling);
  std::printf("  issue to final (every %dth, %zu timed): p50 %.0f ms, p99 %.0f ms\n", kTimedEvery,
              latencies.size(), percentile(latencies, 0.5), percentile(latencies, 0.99));
  std::printf("  chain: height %.0f, %.0f milestones, %.0f view changes\n",
              net.nodes[0]->metric("pbft", "height"), net.nodes[0]->metric("pbft", "dag_milestone"),
              net.nodes[1]->metric("pbft", "view_changes"));
  return 0;
}

}  // namespace itc::bench
