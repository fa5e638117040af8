// CommitWatch: whether a node that orders blocks commits the work it is given — the
// "committing" half of the node's readiness (GET /readyz).
//
// Work is a reading arriving on the bus, or a transaction submitted through the admin API
// that has no verdict yet. The node is stalled when work has waited longer than a window
// without a block being committed:
//   - readings: from the first reading that arrives after the last committed block, until
//     the next committed block;
//   - transactions: from its submission until its verdict (committed or refused).
// With no work waiting the node is not stalled, however long ago its last block was.
// Thread safety: all methods may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace itc::host {

class CommitWatch {
 public:
  using Clock = std::chrono::steady_clock;

  // Runs for every reading: `now()` (returning a Clock::time_point) is called only for the
  // first reading after a commit, so while readings wait this is one atomic load.
  template <typename Now>
  void reading_arrived(Now now) {
    if (readings_waiting_since_.load(std::memory_order_relaxed) != 0) return;
    std::int64_t none = 0;
    readings_waiting_since_.compare_exchange_strong(none, ticks(now()));
  }
  void block_committed(Clock::time_point now);
  // A transaction waits from now until settled(ticket) (idempotent).
  std::uint64_t transaction_submitted(Clock::time_point now);
  void transaction_settled(std::uint64_t ticket);

  // Empty if no work has waited longer than `window` without a commit; else what waits,
  // for how long, and when the last block was committed.
  std::string stall(Clock::time_point now, std::chrono::milliseconds window) const;

 private:
  static std::int64_t ticks(Clock::time_point t) { return t.time_since_epoch().count(); }

  std::atomic<std::int64_t> readings_waiting_since_{0};      // 0: none waiting
  std::atomic<std::int64_t> last_commit_{0};                 // 0: none seen
  mutable std::mutex mu_;                                    // guards the two below
  std::map<std::uint64_t, Clock::time_point> transactions_;  // ticket -> submitted at
  std::uint64_t next_ticket_ = 1;
};

}  // namespace itc::host
