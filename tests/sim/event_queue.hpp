// EventQueue: the simulator's clock and scheduler. Everything that happens in a scenario
// (a message arriving, a replica's tick, a store write finishing, a fault) is an event at
// a simulated time; run_next() runs the earliest, ties in the order they were scheduled.
// With every random choice drawn from one seeded generator, a scenario replays exactly.
// Thread safety: none (the simulator is one thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "itc/host_env.hpp"

namespace itc::sim {

using SimTime = std::chrono::nanoseconds;

class EventQueue {
 public:
  void at(SimTime when, std::function<void()> fn) {
    events_.push(Event{when < now_ ? now_ : when, next_order_++, std::move(fn)});
  }
  void after(SimTime delay, std::function<void()> fn) { at(now_ + delay, std::move(fn)); }
  SimTime now() const { return now_; }
  bool empty() const { return events_.empty(); }
  SimTime next_time() const { return events_.top().when; }
  // Runs the earliest event, moving the clock to its time.
  void run_next() {
    Event e = events_.top();
    events_.pop();
    now_ = e.when;
    e.fn();
  }

 private:
  struct Event {
    SimTime when;
    std::uint64_t order;
    std::function<void()> fn;
    bool operator>(const Event& o) const {
      return when != o.when ? when > o.when : order > o.order;
    }
  };
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  SimTime now_{0};
  std::uint64_t next_order_ = 0;
};

// A replica's view of time: the simulated time read through its own skew. steady_now()
// runs at (1 + drift) of simulated time from where it was when the drift last changed
// (so it never goes back); unix_micros() is the shared epoch plus simulated time plus
// this node's wall-clock offset, which a fault may jump either way.
class SkewedClock final : public Clock {
 public:
  explicit SkewedClock(const EventQueue& events) : events_(events) {}
  std::chrono::nanoseconds steady_now() const override {
    const double since = static_cast<double>((events_.now() - base_sim_).count());
    return base_steady_ + std::chrono::nanoseconds(static_cast<std::int64_t>(since * rate_));
  }
  std::int64_t unix_micros() const override {
    return kEpochUs + events_.now().count() / 1000 + offset_us_;
  }
  void set_skew(std::int64_t offset_us, double drift) {
    base_steady_ = steady_now();
    base_sim_ = events_.now();
    rate_ = 1.0 + drift;
    offset_us_ = offset_us;
  }
  static constexpr std::int64_t kEpochUs = 1'767'225'600'000'000;  // 2026-01-01

 private:
  const EventQueue& events_;
  std::chrono::nanoseconds base_steady_{1'000'000'000};
  SimTime base_sim_{0};
  double rate_ = 1.0;
  std::int64_t offset_us_ = 0;
};

}  // namespace itc::sim
