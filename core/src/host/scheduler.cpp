#include "host/scheduler.hpp"

namespace itc::host {

Scheduler::Scheduler(unsigned workers) {
  if (workers == 0) workers = 4;
  for (unsigned i = 0; i < workers; ++i) workers_.emplace_back([this] { worker_loop(); });
  timer_thread_ = std::thread([this] { timer_loop(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  timer_cv_.notify_all();
  for (auto& w : workers_) w.join();
  timer_thread_.join();
}

std::uint64_t Scheduler::new_owner() {
  std::lock_guard lock(mu_);
  return next_owner_++;
}

bool Scheduler::post(std::uint64_t owner, std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || retired_.count(owner)) return false;
    tasks_.emplace_back(owner, std::move(task));
    ++in_flight_[owner];
  }
  work_cv_.notify_one();
  return true;
}

void Scheduler::worker_loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping
    auto [owner, task] = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    try {
      task();
    } catch (...) {
      // A plugin's task must not throw; swallowing keeps the worker alive.
    }
    task = nullptr;  // destroy the closure (plugin code) before reporting completion
    lock.lock();
    if (--in_flight_[owner] == 0) {
      in_flight_.erase(owner);
      done_cv_.notify_all();
    }
  }
}

std::uint64_t Scheduler::schedule(std::uint64_t owner, std::chrono::nanoseconds delay,
                                  std::chrono::nanoseconds period, std::function<void()> fn) {
  std::lock_guard lock(mu_);
  if (stopping_ || retired_.count(owner)) return 0;
  std::uint64_t id = next_timer_++;
  timers_[id] = Timer{owner, std::chrono::steady_clock::now() + delay, period, std::move(fn)};
  timer_cv_.notify_all();
  return id;
}

void Scheduler::timer_loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    auto next = now + std::chrono::seconds(1);
    std::vector<std::uint64_t> due;
    for (auto& [id, t] : timers_) {
      if (t.running || t.cancelled) continue;
      if (t.due <= now) {
        due.push_back(id);
      } else if (t.due < next) {
        next = t.due;
      }
    }
    for (auto id : due) {
      Timer& t = timers_[id];
      t.running = true;
      tasks_.emplace_back(t.owner, [this, id] { run_timer(id); });
      ++in_flight_[t.owner];
      work_cv_.notify_one();
    }
    timer_cv_.wait_until(lock, next);
  }
}

void Scheduler::run_timer(std::uint64_t id) {
  std::function<void()>* fn = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = timers_.find(id);
    if (it == timers_.end() || it->second.cancelled) {
      if (it != timers_.end()) {
        it->second.running = false;
        done_cv_.notify_all();
      }
      return;
    }
    fn = &it->second.fn;  // map nodes are stable; erased only when not running
    running_timer_thread_[id] = std::this_thread::get_id();
  }
  try {
    (*fn)();
  } catch (...) {
  }
  std::lock_guard lock(mu_);
  running_timer_thread_.erase(id);
  auto it = timers_.find(id);
  it->second.running = false;
  if (it->second.cancelled || it->second.period.count() == 0) {
    timers_.erase(it);
  } else {
    it->second.due = std::chrono::steady_clock::now() + it->second.period;
  }
  done_cv_.notify_all();
  timer_cv_.notify_all();
}

void Scheduler::cancel(std::uint64_t timer_id) {
  std::unique_lock lock(mu_);
  auto it = timers_.find(timer_id);
  if (it == timers_.end()) return;
  it->second.cancelled = true;
  auto self = running_timer_thread_.find(timer_id);
  if (self != running_timer_thread_.end() && self->second == std::this_thread::get_id()) return;
  done_cv_.wait(lock, [&] {
    auto t = timers_.find(timer_id);
    return t == timers_.end() || !t->second.running;
  });
  timers_.erase(timer_id);
}

void Scheduler::retire(std::uint64_t owner) {
  std::vector<std::uint64_t> ids;
  {
    std::lock_guard lock(mu_);
    retired_.insert(owner);
    for (auto& [id, t] : timers_)
      if (t.owner == owner) ids.push_back(id);
  }
  for (auto id : ids) cancel(id);
  std::unique_lock lock(mu_);
  done_cv_.wait(lock, [&] { return in_flight_.count(owner) == 0; });
}

}  // namespace itc::host
