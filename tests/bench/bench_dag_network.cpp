// The DAG side chain on 4 validators (bench_network.hpp, `pbft` with `dag: true`): device
// transactions made final per second, and the time from submitting one to its being final,
// beside the machine's Ed25519 verification ceiling measured in the same run (each
// validator verifies each device signature once).
// The transactions are issued (PoW, signature) before the clock starts: 4,000 registered
// lamps, two each, every one approving two of the 64 issued just before it; they are then
// submitted as fast as the validators take them, a quarter to each validator (4 threads),
// and every 10th is timed by polling its status on the validator it was submitted to.
// Then 4,000 more at half the rate reached, for the latency at half load.
#include <atomic>
#include <deque>
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

using Issuers = std::vector<std::unique_ptr<dag::TransactionIssuer>>;

// Issues `count` readings transactions, lamp after lamp, on top of `entry` (two tips of the
// DAG), each approving two of the 64 issued just before it.
std::vector<Issued> issue(Issuers& lamps, const std::vector<std::string>& entry, int count) {
  std::vector<Issued> out;
  std::mt19937_64 rng(7);
  for (int n = 0; n < count; ++n) {
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
    auto tx = lamps[static_cast<std::size_t>(n % kLamps)]->issue_readings({r}, parents, unix_us());
    out.push_back({dag::transaction_id(tx), deterministic_bytes(tx)});
  }
  return out;
}

struct Run {
  double submit_s = 0;
  double final_s = 0;  // first sent to last timed one final
  std::uint64_t refused = 0;
  std::string first_refusal;
  std::vector<double> latencies_ms;
  std::size_t not_final = 0;
};

// Submits `txs` (validator v takes v, v+4, ...; each thread in issue order), at
// `per_second` in all (0: as fast as the validators take them), and times every
// kTimedEvery-th from being sent to being final on the validator it went to.
Run submit_and_time(const std::vector<DeviceTransactions*>& dag, const std::vector<Issued>& txs,
                    double per_second) {
  Run run;
  // Steady-clock nanoseconds when each was sent (0: not yet); read by the poller.
  std::vector<std::atomic<std::int64_t>> sent(txs.size());
  std::mutex mu;
  const auto t0 = SteadyClock::now();
  std::vector<std::thread> submitters;
  for (int v = 0; v < kValidators; ++v) {
    submitters.emplace_back([&, v] {
      for (std::size_t n = static_cast<std::size_t>(v); n < txs.size(); n += kValidators) {
        if (per_second > 0)
          std::this_thread::sleep_until(
              t0 + std::chrono::duration_cast<SteadyClock::duration>(
                       std::chrono::duration<double>(static_cast<double>(n) / per_second)));
        sent[n] = SteadyClock::now().time_since_epoch().count();
        const v1::DagSubmitResult r = dag[static_cast<std::size_t>(v)]->submit(txs[n].bytes);
        if (r.outcome() != "refused") continue;
        std::lock_guard lock(mu);
        if (run.refused++ == 0) run.first_refusal = r.reason() + ": " + r.message();
      }
    });
  }
  // Poll while submitting, per validator in the order sent: the oldest timed one not yet
  // final, then the next. (A transaction counts as final once it and the timed ones sent
  // before it to the same validator are: an upper bound, and few status calls, so the
  // poller does not load the validators.)
  std::vector<std::deque<std::size_t>> open(kValidators);
  for (std::size_t n = 0; n < txs.size(); n += kTimedEvery) open[n % kValidators].push_back(n);
  open[(txs.size() - 1) % kValidators].push_back(txs.size() - 1);
  const auto deadline = SteadyClock::now() + std::chrono::seconds(120);
  SteadyClock::time_point last_final = t0;
  auto left = [&] {
    std::size_t k = 0;
    for (const auto& q : open) k += q.size();
    return k;
  };
  while (left() > 0 && SteadyClock::now() < deadline) {
    for (int v = 0; v < kValidators; ++v) {
      auto& q = open[static_cast<std::size_t>(v)];
      while (!q.empty()) {
        const std::size_t n = q.front();
        const std::int64_t at_ns = sent[n];  // set by a submitter before it calls submit()
        if (at_ns == 0 || dag[static_cast<std::size_t>(v)]->status(txs[n].id).state() != "final")
          break;
        const auto now = SteadyClock::now();
        const SteadyClock::time_point at{SteadyClock::duration(at_ns)};
        run.latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - at).count());
        last_final = std::max(last_final, now);
        q.pop_front();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& t : submitters) t.join();
  run.submit_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  run.final_s = std::chrono::duration<double>(last_final - t0).count();
  run.not_final = left();
  return run;
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
  Issuers lamps;
  for (int i = 0; i < kLamps; ++i)
    lamps.push_back(std::make_unique<dag::TransactionIssuer>(lamp_key(i), 12));
  auto tips = [&] {
    const v1::DagTips t = dag[0]->tips(2);
    return std::vector<std::string>(t.tips().begin(), t.tips().end());
  };

  // 1. As fast as the validators take them.
  auto t_issue = SteadyClock::now();
  const std::vector<Issued> burst = issue(lamps, tips(), kLamps * kPerLamp);
  std::printf("  issued %zu transactions (12-bit PoW, Ed25519) in %.1f s before the clock starts\n",
              burst.size(), std::chrono::duration<double>(SteadyClock::now() - t_issue).count());
  const Run full = submit_and_time(dag, burst, 0);
  if (full.not_final > 0) {
    std::printf("  %zu timed transactions not final after 120 s: not met\n", full.not_final);
    return 1;
  }
  const double rate = static_cast<double>(burst.size()) / full.final_s;
  std::printf("  saturated: submitted %zu in %.2f s, %llu refused%s%s\n", burst.size(),
              full.submit_s, static_cast<unsigned long long>(full.refused),
              full.first_refusal.empty() ? "" : ", e.g. ", full.first_refusal.c_str());
  std::printf(
      "  device-signed transactions final: %.0f/s (all final %.2f s after the first was "
      "sent), %.0f%% of the ceiling of %.0f Ed25519 verifications/s per validator\n",
      rate, full.final_s, 100.0 * rate / ceiling, ceiling);
  std::printf("    issue to final under that load: p50 %.0f ms, p99 %.0f ms\n",
              percentile(full.latencies_ms, 0.5), percentile(full.latencies_ms, 0.99));

  // 2. At half that rate.
  const std::vector<Issued> paced = issue(lamps, tips(), kLamps);
  const Run half = submit_and_time(dag, paced, rate / 2);
  std::printf(
      "  at half that load (%.0f/s, %zu timed): issue to final p50 %.0f ms, p99 %.0f ms%s\n",
      rate / 2, half.latencies_ms.size(), percentile(half.latencies_ms, 0.5),
      percentile(half.latencies_ms, 0.99), half.not_final ? " (some not final!)" : "");
  std::printf("  chain: height %.0f, %.0f milestones, %.0f view changes\n",
              net.nodes[0]->metric("pbft", "height"), net.nodes[0]->metric("pbft", "dag_milestone"),
              net.nodes[1]->metric("pbft", "view_changes"));
  return half.not_final > 0 ? 1 : 0;
}

}  // namespace itc::bench
