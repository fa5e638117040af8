// LedgerView: the node's read side of what flows past it on the bus — the last readings,
// the last committed block, and running totals of committed transactions and readings.
// The host's bus taps feed it; the admin API and the once-a-second stats read it.
// Thread safety: every method may be called from any thread; reads return copies.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "itc/v1/device.pb.h"
#include "itc/v1/ledger.pb.h"

namespace itc::host {

class LedgerView {
 public:
  static constexpr std::size_t kRecentReadings = 256;  // readings kept for recent()

  void on_reading(const v1::Reading& reading);
  void on_block(const v1::BlockCommitted& block);

  // The last `max` readings seen (at most kRecentReadings), oldest first.
  std::vector<v1::Reading> recent(std::size_t max) const;
  // The last block committed since the node started; nullopt before the first.
  std::optional<v1::BlockCommitted> head() const;
  // Totals over every block committed since the node started.
  std::uint64_t committed_tx() const { return committed_tx_.load(); }
  std::uint64_t committed_readings() const { return committed_readings_.load(); }

 private:
  mutable std::mutex mu_;  // guards recent_ and head_
  std::deque<v1::Reading> recent_;
  std::optional<v1::BlockCommitted> head_;
  std::atomic<std::uint64_t> committed_tx_{0};
  std::atomic<std::uint64_t> committed_readings_{0};
};

}  // namespace itc::host
