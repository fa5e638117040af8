// ProgressTimer: when a replica stops waiting for the primary (PBFT's liveness side,
// apart from the agreement state machine it drives).
//
// The timer runs while requests wait (or a view change is under way) and is restarted
// by progress. When it expires the replica first looks for a reason that is not the
// primary's fault (Replica::on_tick), then suspects the primary and starts a view
// change. Each view change in a row without progress doubles the timeout (up to 64x):
// after GST the timeout eventually exceeds the real message delay, so some view's
// correct primary keeps its view long enough to commit (Castro & Liskov, section 4.5.2).
// An executed block resets the backoff; state transfer only restarts the timer (it
// proves the network moves, not that this view's primary does).
// Thread safety: none (the replica's protocol thread). Times are steady-clock readings.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace itc::pbft {

class ProgressTimer {
 public:
  explicit ProgressTimer(std::chrono::milliseconds base) : base_(base), timeout_(base) {}

  // The current timeout: the base, doubled per view change since the last progress.
  std::chrono::nanoseconds timeout() const { return timeout_; }
  std::uint32_t consecutive_view_changes() const { return consecutive_view_changes_; }
  bool running() const { return deadline_.count() != 0; }

  // Starts the timer unless it runs (a request or block started to wait).
  void start(std::chrono::nanoseconds now) {
    if (!running()) restart(now);
  }
  void restart(std::chrono::nanoseconds now) { deadline_ = now + timeout_; }

  // Called on each tick: false while nothing waits (the timer stops) and when the timer
  // was stopped (it starts now); otherwise whether it expired.
  bool expired(std::chrono::nanoseconds now, bool waiting) {
    if (!waiting) {
      deadline_ = std::chrono::nanoseconds(0);
      return false;
    }
    if (!running()) {
      restart(now);
      return false;
    }
    return now >= deadline_;
  }

  // A block executed through agreement: the backoff resets; the timer runs on only if
  // more waits.
  void executed(std::chrono::nanoseconds now, bool still_waiting) {
    last_progress_ = now;
    consecutive_view_changes_ = 0;
    timeout_ = base_;
    deadline_ = still_waiting ? now + timeout_ : std::chrono::nanoseconds(0);
  }
  // Blocks came by state transfer: progress, but the backoff stays.
  void transferred(std::chrono::nanoseconds now) {
    last_progress_ = now;
    restart(now);
  }
  // A view change starts: the next one waits twice as long (at most 64x the base).
  void view_change_started(std::chrono::nanoseconds now) {
    ++consecutive_view_changes_;
    timeout_ = base_ * (1u << std::min(consecutive_view_changes_ - 1, 6u));
    restart(now);
  }

  // Time since the last executed or transferred block (since the start if none).
  std::chrono::nanoseconds since_progress(std::chrono::nanoseconds now) const {
    return now - last_progress_;
  }

 private:
  const std::chrono::nanoseconds base_;
  std::chrono::nanoseconds timeout_;
  std::chrono::nanoseconds deadline_{0};  // 0: not running
  std::chrono::nanoseconds last_progress_{0};
  std::uint32_t consecutive_view_changes_ = 0;
};

}  // namespace itc::pbft
