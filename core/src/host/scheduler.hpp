// Scheduler: the host's worker pool and timers, shared by all plugins. Work is tracked
// per owner (a plugin instance) so the host can cancel an instance's timers and wait for
// its tasks before its library is closed.
// Thread safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace itc::host {

class Scheduler {
 public:
  explicit Scheduler(unsigned workers);
  ~Scheduler();

  // Runs `task` on a worker. False (task not queued) if `owner` was retired.
  bool post(std::uint64_t owner, std::function<void()> task);
  // Timers; callbacks run on workers. A periodic timer's next run waits for the last.
  std::uint64_t schedule(std::uint64_t owner, std::chrono::nanoseconds delay,
                         std::chrono::nanoseconds period, std::function<void()> fn);
  // After cancel() returns the callback is not running (unless called from inside it)
  // and will not run again.
  void cancel(std::uint64_t timer_id);

  // A fresh owner id.
  std::uint64_t new_owner();
  // Cancels the owner's timers, refuses its new tasks and waits for its running and
  // queued tasks to finish.
  void retire(std::uint64_t owner);

 private:
  struct Timer {
    std::uint64_t owner;
    std::chrono::steady_clock::time_point due;
    std::chrono::nanoseconds period;
    std::function<void()> fn;
    bool running = false;
    bool cancelled = false;
  };
  void worker_loop();
  void timer_loop();
  void run_timer(std::uint64_t id);

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable timer_cv_;
  std::condition_variable done_cv_;
  std::deque<std::pair<std::uint64_t, std::function<void()>>> tasks_;
  std::map<std::uint64_t, Timer> timers_;
  std::map<std::uint64_t, int> in_flight_;  // owner -> queued + running tasks
  std::set<std::uint64_t> retired_;
  std::map<std::uint64_t, std::thread::id> running_timer_thread_;
  std::uint64_t next_timer_ = 1;
  std::uint64_t next_owner_ = 1;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::thread timer_thread_;
};

}  // namespace itc::host
