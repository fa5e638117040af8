// RetentionRunner: runs a store's pruning (itc.ledger-retention.v1) on the host's timer, a
// few batches per run, and reports it: gauges ledger_pruned_through and ledger_kept_bytes,
// counter ledger_pruned_blocks_total, and a log line per run that pruned something.
// Thread safety: start() and stop() from the plugin's lifecycle calls; the timer runs on a
// host worker (one run at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "itc/host_env.hpp"
#include "itc/services/ledger_retention.hpp"
#include "retention_policy.hpp"

namespace itc::store_common {

class RetentionRunner {
 public:
  // `kept_bytes` reads the store's kept bytes for the gauge. `retention` must outlive stop().
  RetentionRunner(HostEnv& env, LedgerRetention& retention, RetentionPolicy policy,
                  std::function<std::uint64_t()> kept_bytes);
  ~RetentionRunner() { stop(); }
  RetentionRunner(const RetentionRunner&) = delete;
  RetentionRunner& operator=(const RetentionRunner&) = delete;

  // Arms the timer (nothing when the policy is off). Logs the policy.
  void start();
  // Cancels the timer; a run in progress finishes first.
  void stop();
  // One run now: at most 16 batches. The timer calls it.
  void run();

 private:
  HostEnv& env_;
  LedgerRetention& retention_;
  RetentionPolicy policy_;
  std::function<std::uint64_t()> kept_bytes_;
  Gauge& pruned_through_;
  Gauge& kept_;
  Counter& pruned_blocks_;
  std::optional<TimerId> timer_;
  bool warned_ = false;  // the last run could not meet the budget
};

}  // namespace itc::store_common
