#include "retention_runner.hpp"

#include <utility>

namespace itc::store_common {
namespace {

constexpr std::uint64_t kBatchesPerRun = 16;

}  // namespace

RetentionRunner::RetentionRunner(HostEnv& env, LedgerRetention& retention, RetentionPolicy policy,
                                 std::function<std::uint64_t()> kept_bytes)
    : env_(env),
      retention_(retention),
      policy_(policy),
      kept_bytes_(std::move(kept_bytes)),
      pruned_through_(env.metrics().gauge(
          "ledger_pruned_through", "highest block whose readings and transactions were pruned")),
      kept_(env.metrics().gauge("ledger_kept_bytes",
                                "bytes of readings and block bodies the store keeps")),
      pruned_blocks_(env.metrics().counter("ledger_pruned_blocks_total",
                                           "blocks whose readings and transactions were pruned")) {}

void RetentionRunner::start() {
  pruned_through_.set(static_cast<double>(retention_.pruned_through()));
  kept_.set(static_cast<double>(kept_bytes_()));
  env_.log().info("retention keeps " + policy_.describe());
  if (!policy_.on() || timer_) return;
  timer_ = env_.timers().schedule_every(policy_.interval, [this] { run(); });
}

void RetentionRunner::stop() {
  if (timer_) env_.timers().cancel(*timer_);
  timer_.reset();
}

void RetentionRunner::run() {
  const std::uint64_t before = retention_.pruned_through();
  auto pruned = retention_.prune(policy_.batch_blocks * kBatchesPerRun);
  const std::uint64_t after = retention_.pruned_through();
  const std::uint64_t kept = kept_bytes_();
  pruned_through_.set(static_cast<double>(after));
  kept_.set(static_cast<double>(kept));
  if (!pruned.ok()) {
    env_.log().warn("retention: pruning stopped: " + pruned.status().ToString());
    return;
  }
  pruned_blocks_.add(*pruned);
  if (*pruned > 0) {
    env_.log().info("retention: pruned blocks " + std::to_string(before + 1) + ".." +
                    std::to_string(after) + "; " + std::to_string(kept / (1024 * 1024)) +
                    " MiB kept");
  }
  const bool stuck = policy_.budget_bytes > 0 && kept > policy_.budget_bytes &&
                     *pruned < policy_.batch_blocks * kBatchesPerRun;
  if (stuck && !warned_) {
    env_.log().warn("retention: " + std::to_string(kept / (1024 * 1024)) +
                    " MiB kept, over the budget of " +
                    std::to_string(policy_.budget_bytes / (1024 * 1024)) +
                    " MiB, and nothing more can be pruned (the head block is always kept)");
  }
  warned_ = stuck;
}

}  // namespace itc::store_common
