// Consensus throughput and latency: 4 PBFT validators (f = 1) on this machine, each a
// full node (pbft + store-sqlite loaded from their signed packages, votes fsynced, blocks
// stored with their certificates) talking TLS over loopback. The four nodes run in this
// process (one host each, like four itc-node processes sharing the machine's two cores);
// a closed-loop client keeps requests in flight at validator-0 (the primary of view 0)
// and times each from submit to the commit callback.
//   1. small unsigned requests (Anchor, 32 bytes) — comparable with other BFT engines;
//   2. Ed25519-signed token transfers, beside the machine's verification ceiling measured
//      in the same run: verifications/s on all cores divided by the number of validators
//      (each validator verifies each transfer once).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "bench.hpp"
#include "bench_network.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/transactions.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/services/transaction_pool.hpp"

namespace itc::bench {
namespace {

constexpr int kAccounts = 2000;

crypto::Ed25519PrivateKey account_key(int i) {
  return *crypto::Ed25519PrivateKey::from_seed(
      crypto::sha256("bench-account-" + std::to_string(i)));
}

struct LoadResult {
  double committed_per_s = 0;
  double p50_ms = 0, p99_ms = 0;
  std::uint64_t refused = 0;
  std::string first_refusal;
};

// Keeps `in_flight` requests outstanding at `pool` for warm-up + `seconds`, taking them
// from `next`; measures the ones completing after the warm-up.
LoadResult closed_loop(TransactionPool* pool, std::function<v1::Transaction()> next,
                       std::size_t in_flight, double warmup_s, double seconds) {
  std::mutex mu;
  std::condition_variable cv;
  std::size_t outstanding = 0;
  std::vector<double> latencies;
  std::uint64_t done = 0, refused = 0;
  std::string first_refusal;
  const auto t0 = std::chrono::steady_clock::now();
  const auto measure_from = t0 + std::chrono::duration<double>(warmup_s);
  const auto end = measure_from + std::chrono::duration<double>(seconds);
  std::atomic<bool> measuring{false};
  while (std::chrono::steady_clock::now() < end) {
    {
      std::unique_lock lock(mu);
      cv.wait_for(lock, std::chrono::milliseconds(5), [&] { return outstanding < in_flight; });
      if (outstanding >= in_flight) continue;
      ++outstanding;
    }
    measuring = std::chrono::steady_clock::now() >= measure_from;
    const auto sent = std::chrono::steady_clock::now();
    pool->submit(next(), [&, sent](v1::TxResult r) {
      const auto now = std::chrono::steady_clock::now();
      std::lock_guard lock(mu);
      --outstanding;
      if (now >= measure_from && now < end) {
        if (r.committed()) {
          ++done;
          latencies.push_back(std::chrono::duration<double, std::milli>(now - sent).count());
        } else {
          if (refused++ == 0) first_refusal = r.reason();
        }
      }
      cv.notify_one();
    });
  }
  // Let the stragglers finish so no callback outlives this frame.
  std::unique_lock lock(mu);
  cv.wait_for(lock, std::chrono::seconds(60), [&] { return outstanding == 0; });
  LoadResult out;
  out.committed_per_s = static_cast<double>(done) / seconds;
  out.p50_ms = percentile(latencies, 0.5);
  out.p99_ms = percentile(latencies, 0.99);
  out.refused = refused;
  out.first_refusal = first_refusal;
  return out;
}

void report(const char* what, const LoadResult& r) {
  std::printf("  %s: %.0f committed/s, commit latency p50 %.1f ms, p99 %.1f ms", what,
              r.committed_per_s, r.p50_ms, r.p99_ms);
  if (r.refused)
    std::printf(" (%llu refused, e.g. \"%s\")", static_cast<unsigned long long>(r.refused),
                r.first_refusal.c_str());
  std::printf("\n");
}

}  // namespace

int bench_consensus() {
  std::printf(
      "consensus: 4 validators (f=1), TLS on loopback, votes fsynced, blocks stored in SQLite\n");
  const double ceiling = verification_ceiling();
  std::printf(
      "  machine: %.0f Ed25519 verifications/s on %u cores -> ceiling %.0f signed tx/s for %d "
      "validators\n",
      ceiling, std::max(1u, std::thread::hardware_concurrency()), ceiling / kValidators,
      kValidators);
  std::vector<v1::Transaction> transfers;
  {
    // Signed before the clock starts: the client's signing is not the validators' work.
    const int per_account = 40;
    transfers.reserve(static_cast<std::size_t>(kAccounts * per_account));
    std::vector<crypto::Ed25519PrivateKey> keys;
    for (int j = 0; j < kAccounts; ++j) keys.push_back(account_key(j));
    for (int n = 1; n <= per_account; ++n) {
      for (int j = 0; j < kAccounts; ++j) {
        v1::Transaction tx;
        tx.set_nonce(static_cast<std::uint64_t>(n));
        tx.set_fee(1);
        tx.mutable_transfer()->set_to(
            keys[static_cast<std::size_t>((j + 1) % kAccounts)].public_key());
        tx.mutable_transfer()->set_amount(1);
        ledger::sign_tx("itc-bench", &tx, keys[static_cast<std::size_t>(j)]);
        transfers.push_back(std::move(tx));
      }
    }
  }
  Network net(", batch_max_requests: 1600, batch_delay_ms: 2, pipeline_window: 12",
              [](v1::Genesis& g) {
                for (int j = 0; j < kAccounts; ++j) {
                  auto* a = g.add_allocations();
                  a->set_account(account_key(j).public_key());
                  a->set_balance(1'000'000'000);
                }
              });
  std::this_thread::sleep_for(std::chrono::seconds(2));  // links up
  std::uint64_t seq = 0;
  auto anchors = [&] {
    v1::Transaction tx;
    tx.set_sender("bench-client");
    tx.set_nonce(++seq);
    tx.mutable_anchor()->set_data(crypto::sha256(std::to_string(seq)));
    return tx;
  };
  LoadResult unsigned_run = closed_loop(net.service<TransactionPool>(0), anchors, 8000, 2.0, 10.0);
  report("unsigned 32-byte requests, 8,000 in flight", unsigned_run);
  // The same requests at lighter loads: the latency side of the curve.
  report("unsigned 32-byte requests, 1,000 in flight",
         closed_loop(net.service<TransactionPool>(0), anchors, 1000, 1.0, 5.0));
  report("unsigned 32-byte requests,   100 in flight",
         closed_loop(net.service<TransactionPool>(0), anchors, 100, 1.0, 5.0));
  std::size_t next = 0;
  auto signed_transfers = [&] { return transfers[next++ % transfers.size()]; };
  LoadResult signed_run =
      closed_loop(net.service<TransactionPool>(0), signed_transfers, 8000, 2.0, 10.0);
  report("Ed25519-signed transfers, 8,000 in flight", signed_run);
  std::printf("  signed transfers reach %.0f%% of the verification ceiling (%.0f/s)\n",
              100.0 * signed_run.committed_per_s / (ceiling / kValidators), ceiling / kValidators);
  std::printf("  height %.0f, view %.0f, view changes %.0f\n",
              net.nodes[0]->metric("pbft", "height"), net.nodes[0]->metric("pbft", "view"),
              net.nodes[1]->metric("pbft", "view_changes"));
  return 0;
}

}  // namespace itc::bench
