// Micro-benchmark of the ledger state (not a test): transfers applied per second and the
// time to compute the state root, for 1k and 100k accounts. Prints medians of several runs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "itc/chain/state.hpp"
#include "itc/crypto.hpp"
#include "itc/v1/ledger.pb.h"

using namespace itc;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kRuns = 5;
constexpr int kBlockTransfers = 1000;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Accounts are distinct 32-byte strings; apply() trusts the signature was checked, so
// the transactions carry a placeholder one and the figure is the state machine's alone.
std::string account(std::size_t i) {
  std::string a(32, '\0');
  for (int b = 0; b < 8; ++b) a[static_cast<std::size_t>(b)] = static_cast<char>(i >> (8 * b));
  return a;
}

v1::Genesis genesis_with(std::size_t accounts) {
  v1::Genesis g;
  g.set_chain_id("bench");
  g.set_min_fee(1);
  for (std::size_t i = 0; i < accounts; ++i) {
    v1::Allocation* a = g.add_allocations();
    a->set_account(account(i));
    a->set_balance(1'000'000'000);
  }
  return g;
}

std::vector<v1::Transaction> random_transfers(std::size_t accounts, int count,
                                              std::vector<std::uint64_t>& nonces,
                                              std::mt19937_64& rng) {
  std::uniform_int_distribution<std::size_t> pick(0, accounts - 1);
  std::vector<v1::Transaction> txs(static_cast<std::size_t>(count));
  for (v1::Transaction& tx : txs) {
    std::size_t from = pick(rng);
    std::size_t to = pick(rng);
    while (to == from) to = pick(rng);
    tx.set_sender(account(from));
    tx.set_nonce(++nonces[from]);
    tx.set_fee(1);
    tx.set_signature(std::string(64, 's'));
    tx.mutable_transfer()->set_to(account(to));
    tx.mutable_transfer()->set_amount(5);
  }
  return txs;
}

void bench(std::size_t accounts) {
  const v1::Genesis genesis = genesis_with(accounts);
  std::vector<double> full_root_ms;
  std::vector<double> apply_per_s;
  std::vector<double> draft_root_ms;
  std::vector<double> commit_ms;
  std::mt19937_64 rng(42);
  for (int run = 0; run < kRuns; ++run) {
    auto t0 = Clock::now();
    ledger::LedgerState state(genesis);  // hashes every bucket and the whole tree
    full_root_ms.push_back(seconds_since(t0) * 1e3);

    std::vector<std::uint64_t> nonces(accounts, 0);
    const std::string proposer = account(accounts + 1);
    for (int block = 0; block < 3; ++block) {
      auto txs = random_transfers(accounts, kBlockTransfers, nonces, rng);
      ledger::LedgerState::BlockDraft draft = state.begin_block(proposer);
      auto t1 = Clock::now();
      for (const v1::Transaction& tx : txs) {
        if (Status s = draft.apply(tx); !s.ok()) {
          std::fprintf(stderr, "apply failed: %s\n", s.ToString().c_str());
          return;
        }
      }
      apply_per_s.push_back(kBlockTransfers / seconds_since(t1));
      auto t2 = Clock::now();
      std::string root = draft.state_root();
      draft_root_ms.push_back(seconds_since(t2) * 1e3);
      state.push_pending(std::move(draft));
      auto t3 = Clock::now();
      state.commit_oldest();
      commit_ms.push_back(seconds_since(t3) * 1e3);
      if (state.committed_root() != root) std::fprintf(stderr, "root mismatch!\n");
    }
  }
  std::printf(
      "%7zu accounts: apply %8.0f transfers/s | state root of a %d-transfer block %6.2f ms | "
      "commit %6.2f ms | full root (genesis) %7.2f ms\n",
      accounts, median(apply_per_s), kBlockTransfers, median(draft_root_ms), median(commit_ms),
      median(full_root_ms));
}

}  // namespace

int main() {
  std::printf("ledger state benchmark (medians of %d runs; no signature checks)\n", kRuns);
  bench(1'000);
  bench(100'000);
  return 0;
}
