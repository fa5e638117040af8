// FakeEnv: a complete, deterministic HostEnv for unit tests of plugins. Header-only;
// a vendor's test includes it and drives a plugin without a host:
//
//   itc::testing::FakeEnv env;
//   MyPlugin p;
//   QVERIFY(p.initialise(env, config).ok());
//   p.start();
//   env.advance(std::chrono::seconds(1));      // fires due timers, in order, on this thread
//   auto frames = env.bus().published(itc::topics::kRawFrames);
//   QCOMPARE(env.metrics().counter_value("frames_sent"), 1000u);
//
// What each part does:
// - Clock: manual. steady_now() starts at 1 s and moves only in advance(); unix_micros() is
//   a fixed epoch (set_unix_epoch_us) plus the steady time.
// - Timers: advance(d) runs every timer due up to now+d in due order (ties: creation order),
//   setting the clock to each timer's due time before running it; a periodic timer is
//   re-armed one period after its due time. Timers may schedule and cancel timers.
// - Executor: runs each task inline in post() by default; with set_executor_queued(true)
//   tasks wait until run_pending().
// - Logger: records "<LEVEL> <message>" lines (lines(), contains()).
// - Metrics: in memory; counter_value()/gauge_value() look up by name (0 if absent).
// - KeyValueStore: an in-memory map.
// - Bus: synchronous: publish() calls every subscriber inline, in subscription order, and
//   records the message (published()). Topic types are enforced like the real bus. A
//   topic can be made "full" (set_full) so try_publish() returns Unavailable.
// - Services: a name -> pointer map.
// - data_dir(): a fresh temporary directory, removed with the FakeEnv.
//
// Thread safety: every method may be called from any thread; callbacks run on the thread
// that calls advance(), run_pending(), post() (inline mode) or publish().
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "itc/bus.hpp"
#include "itc/host_env.hpp"
#include "itc/services/device_profiles.hpp"
#include "itc/status.hpp"

namespace itc::testing {

class FakeClock : public Clock {
 public:
  std::chrono::nanoseconds steady_now() const override {
    return std::chrono::nanoseconds(now_ns_.load());
  }
  std::int64_t unix_micros() const override { return epoch_us_.load() + now_ns_.load() / 1000; }

  void set_steady(std::chrono::nanoseconds t) { now_ns_.store(t.count()); }
  // Wall time at steady time zero. Default: 2024-01-01T00:00:00Z.
  void set_unix_epoch_us(std::int64_t us) { epoch_us_.store(us); }

 private:
  std::atomic<std::int64_t> now_ns_{1'000'000'000};
  std::atomic<std::int64_t> epoch_us_{1'704'067'200'000'000};
};

class FakeTimers : public Timers {
 public:
  explicit FakeTimers(FakeClock& clock) : clock_(clock) {}

  TimerId schedule_after(std::chrono::nanoseconds delay, std::function<void()> fn) override {
    return add(delay, std::chrono::nanoseconds(0), std::move(fn));
  }
  TimerId schedule_every(std::chrono::nanoseconds period, std::function<void()> fn) override {
    if (period <= std::chrono::nanoseconds(0)) period = std::chrono::nanoseconds(1);
    return add(period, period, std::move(fn));
  }
  void cancel(TimerId id) override {
    std::lock_guard running(run_mu_);  // waits for a timer running on another thread
    std::lock_guard lock(mu_);
    timers_.erase(id);
  }

  // Moves the clock forward by `d`, running due timers in order on this thread.
  void advance(std::chrono::nanoseconds d) {
    const auto target = clock_.steady_now() + d;
    for (;;) {
      std::lock_guard running(run_mu_);
      std::function<void()> fn;
      {
        std::lock_guard lock(mu_);
        auto next = timers_.end();
        for (auto it = timers_.begin(); it != timers_.end(); ++it) {
          if (it->second.due > target) continue;
          if (next == timers_.end() || it->second.due < next->second.due) next = it;
        }
        if (next == timers_.end()) break;
        clock_.set_steady(std::max(clock_.steady_now(), next->second.due));
        fn = next->second.fn;  // copy: the timer may cancel itself while running
        if (next->second.period.count() > 0) {
          next->second.due += next->second.period;
        } else {
          timers_.erase(next);
        }
      }
      fn();
    }
    clock_.set_steady(target);
  }

  // Number of timers still armed.
  std::size_t pending() const {
    std::lock_guard lock(mu_);
    return timers_.size();
  }

 private:
  struct Entry {
    std::chrono::nanoseconds due;
    std::chrono::nanoseconds period;
    std::function<void()> fn;
  };
  TimerId add(std::chrono::nanoseconds delay, std::chrono::nanoseconds period,
              std::function<void()> fn) {
    std::lock_guard lock(mu_);
    const TimerId id = next_id_++;
    timers_.emplace(id, Entry{clock_.steady_now() + delay, period, std::move(fn)});
    return id;
  }

  FakeClock& clock_;
  std::recursive_mutex run_mu_;  // held while a timer runs; re-entrant for fn -> cancel
  mutable std::mutex mu_;
  std::map<TimerId, Entry> timers_;  // ordered by id = creation order, for ties
  TimerId next_id_ = 1;
};

class FakeExecutor : public Executor {
 public:
  void post(std::function<void()> task) override {
    {
      std::lock_guard lock(mu_);
      ++posted_;
      if (queued_) {
        queue_.push_back(std::move(task));
        return;
      }
    }
    task();
  }
  void set_queued(bool queued) {
    std::lock_guard lock(mu_);
    queued_ = queued;
  }
  // Runs queued tasks (also those they post) until none is left; returns how many ran.
  std::size_t run_pending() {
    std::size_t ran = 0;
    for (;;) {
      std::function<void()> task;
      {
        std::lock_guard lock(mu_);
        if (queue_.empty()) return ran;
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
      ++ran;
    }
  }
  std::size_t queued() const {
    std::lock_guard lock(mu_);
    return queue_.size();
  }
  std::uint64_t posted() const {
    std::lock_guard lock(mu_);
    return posted_;
  }

 private:
  mutable std::mutex mu_;
  bool queued_ = false;
  std::deque<std::function<void()>> queue_;
  std::uint64_t posted_ = 0;
};

class FakeLogger : public Logger {
 public:
  void log(LogLevel level, std::string_view message) override {
    static constexpr const char* kNames[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    std::lock_guard lock(mu_);
    lines_.push_back(std::string(kNames[static_cast<int>(level)]) + " " + std::string(message));
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }
  // True if some recorded line contains `needle`.
  bool contains(std::string_view needle) const {
    std::lock_guard lock(mu_);
    return std::any_of(lines_.begin(), lines_.end(),
                       [&](const std::string& l) { return l.find(needle) != std::string::npos; });
  }
  void clear() {
    std::lock_guard lock(mu_);
    lines_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

class FakeCounter : public Counter {
 public:
  void add(std::uint64_t n = 1) override { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const override { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class FakeGauge : public Gauge {
 public:
  void set(double v) override { v_.store(v); }
  double value() const override { return v_.load(); }

 private:
  std::atomic<double> v_{0};
};

class FakeMetrics : public Metrics {
 public:
  Counter& counter(std::string_view name, std::string_view /*help*/) override {
    std::lock_guard lock(mu_);
    auto& slot = counters_[std::string(name)];
    if (!slot) slot = std::make_unique<FakeCounter>();
    return *slot;
  }
  Gauge& gauge(std::string_view name, std::string_view /*help*/) override {
    std::lock_guard lock(mu_);
    auto& slot = gauges_[std::string(name)];
    if (!slot) slot = std::make_unique<FakeGauge>();
    return *slot;
  }
  // 0 if no counter of that name was created.
  std::uint64_t counter_value(std::string_view name) const {
    std::lock_guard lock(mu_);
    auto it = counters_.find(std::string(name));
    return it == counters_.end() ? 0 : it->second->value();
  }
  double gauge_value(std::string_view name) const {
    std::lock_guard lock(mu_);
    auto it = gauges_.find(std::string(name));
    return it == gauges_.end() ? 0.0 : it->second->value();
  }
  bool has_counter(std::string_view name) const {
    std::lock_guard lock(mu_);
    return counters_.count(std::string(name)) > 0;
  }
  bool has_gauge(std::string_view name) const {
    std::lock_guard lock(mu_);
    return gauges_.count(std::string(name)) > 0;
  }
  std::vector<std::string> counter_names() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [k, v] : counters_) out.push_back(k);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<FakeCounter>> counters_;
  std::map<std::string, std::unique_ptr<FakeGauge>> gauges_;
};

class FakeKeyValueStore : public KeyValueStore {
 public:
  Status put(std::string_view key, std::string_view value) override {
    std::lock_guard lock(mu_);
    data_[std::string(key)] = std::string(value);
    return Status::Ok();
  }
  Result<std::optional<std::string>> get(std::string_view key) override {
    std::lock_guard lock(mu_);
    auto it = data_.find(std::string(key));
    if (it == data_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status erase(std::string_view key) override {
    std::lock_guard lock(mu_);
    data_.erase(std::string(key));
    return Status::Ok();
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return data_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> data_;
};

class FakeBus : public Bus {
 public:
  using Bus::publish;
  using Bus::subscribe;

  Status publish(std::string_view topic, MessagePtr msg) override {
    return deliver(topic, std::move(msg), /*may_refuse=*/false);
  }
  Status try_publish(std::string_view topic, MessagePtr msg) override {
    return deliver(topic, std::move(msg), /*may_refuse=*/true);
  }
  Status subscribe(std::string_view topic, std::string_view type_name,
                   MessageHandler handler) override {
    std::lock_guard lock(mu_);
    auto& t = topics_[std::string(topic)];
    if (!t.type.empty() && t.type != type_name) {
      return Status::InvalidArgument("topic " + std::string(topic) + " carries " + t.type +
                                     ", not " + std::string(type_name));
    }
    t.type = std::string(type_name);
    t.handlers.push_back(std::make_shared<MessageHandler>(std::move(handler)));
    return Status::Ok();
  }

  // Every message published on `topic` so far, in order.
  std::vector<MessagePtr> published(std::string_view topic) const {
    std::lock_guard lock(mu_);
    auto it = topics_.find(std::string(topic));
    return it == topics_.end() ? std::vector<MessagePtr>{} : it->second.log;
  }
  // The same, cast to T (the topic's type).
  template <typename T>
  std::vector<T> published_as(std::string_view topic) const {
    std::vector<T> out;
    for (const auto& m : published(topic)) out.push_back(static_cast<const T&>(*m));
    return out;
  }
  std::size_t published_count(std::string_view topic) const {
    std::lock_guard lock(mu_);
    auto it = topics_.find(std::string(topic));
    return it == topics_.end() ? 0 : it->second.log.size();
  }
  void clear_published() {
    std::lock_guard lock(mu_);
    for (auto& [name, t] : topics_) t.log.clear();
  }
  // While `full`, try_publish() on `topic` returns Unavailable (publish() still delivers).
  void set_full(std::string_view topic, bool full) {
    std::lock_guard lock(mu_);
    topics_[std::string(topic)].full = full;
  }
  // Stop recording messages (for long-running tests that only count via subscribers).
  void set_recording(bool on) {
    std::lock_guard lock(mu_);
    recording_ = on;
  }
  std::size_t subscriber_count(std::string_view topic) const {
    std::lock_guard lock(mu_);
    auto it = topics_.find(std::string(topic));
    return it == topics_.end() ? 0 : it->second.handlers.size();
  }

 private:
  struct Topic {
    std::string type;
    std::vector<std::shared_ptr<MessageHandler>> handlers;
    std::vector<MessagePtr> log;
    bool full = false;
  };

  Status deliver(std::string_view topic, MessagePtr msg, bool may_refuse) {
    if (!msg) return Status::InvalidArgument("null message on topic " + std::string(topic));
    std::vector<std::shared_ptr<MessageHandler>> handlers;
    {
      std::lock_guard lock(mu_);
      auto& t = topics_[std::string(topic)];
      const std::string type = msg->GetTypeName();
      if (!t.type.empty() && t.type != type) {
        return Status::InvalidArgument("topic " + std::string(topic) + " carries " + t.type +
                                       ", not " + type);
      }
      t.type = type;
      if (may_refuse && t.full) {
        return Status::Unavailable("topic " + std::string(topic) + ": a subscriber queue is full");
      }
      if (recording_) t.log.push_back(msg);
      handlers = t.handlers;
    }
    for (const auto& h : handlers) (*h)(msg);
    return Status::Ok();
  }

  mutable std::mutex mu_;
  std::map<std::string, Topic, std::less<>> topics_;
  bool recording_ = true;
};

class FakeServices : public Services {
 public:
  using Services::find;
  using Services::provide;
  Status provide(std::string_view name, void* service) override {
    std::lock_guard lock(mu_);
    auto [it, inserted] = map_.emplace(std::string(name), service);
    if (!inserted) return Status::AlreadyExists("service " + std::string(name));
    return Status::Ok();
  }
  void* find(std::string_view name) override {
    std::lock_guard lock(mu_);
    auto it = map_.find(std::string(name));
    return it == map_.end() ? nullptr : it->second;
  }
  void withdraw(std::string_view name) {
    std::lock_guard lock(mu_);
    map_.erase(std::string(name));
  }

 private:
  std::mutex mu_;
  std::map<std::string, void*> map_;
};

// The node's device profiles, as the host provides them (set here by the test).
class FakeDeviceProfiles : public DeviceProfiles {
 public:
  // Adds or replaces the profile of that name.
  void put(v1::DeviceProfile profile) {
    std::lock_guard lock(mu_);
    const std::string name = profile.name();
    map_[name] = std::make_shared<const v1::DeviceProfile>(std::move(profile));
    ++generation_;
  }
  std::shared_ptr<const v1::DeviceProfile> find(std::string_view name) const override {
    std::lock_guard lock(mu_);
    auto it = map_.find(name);
    return it == map_.end() ? nullptr : it->second;
  }
  std::vector<std::shared_ptr<const v1::DeviceProfile>> all() const override {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<const v1::DeviceProfile>> out;
    for (const auto& [name, p] : map_) out.push_back(p);
    return out;
  }
  std::uint64_t generation() const override { return generation_.load(); }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const v1::DeviceProfile>, std::less<>> map_;
  std::atomic<std::uint64_t> generation_{1};
};

class FakeEnv : public HostEnv {
 public:
  explicit FakeEnv(std::string node_name = "test-node") : node_name_(std::move(node_name)) {
    (void)services_.provide(static_cast<DeviceProfiles*>(&profiles_));
    std::string tmpl = (std::filesystem::temp_directory_path() / "itc-fake-env-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    data_dir_ = tmpl;
  }
  ~FakeEnv() override {
    std::error_code ec;
    std::filesystem::remove_all(data_dir_, ec);
  }
  FakeEnv(const FakeEnv&) = delete;
  FakeEnv& operator=(const FakeEnv&) = delete;

  const FakeClock& clock() override { return clock_; }
  FakeTimers& timers() override { return timers_; }
  FakeExecutor& executor() override { return executor_; }
  FakeLogger& log() override { return logger_; }
  FakeMetrics& metrics() override { return metrics_; }
  FakeKeyValueStore& storage() override { return storage_; }
  FakeBus& bus() override { return bus_; }
  FakeServices& services() override { return services_; }
  std::string data_dir() override { return data_dir_; }
  std::string node_name() override { return node_name_; }

  // Moves the manual clock forward, firing due timers in order on this thread.
  void advance(std::chrono::nanoseconds d) { timers_.advance(d); }
  // Queue executor tasks instead of running them inline in post().
  void set_executor_queued(bool queued) { executor_.set_queued(queued); }
  std::size_t run_pending() { return executor_.run_pending(); }
  FakeClock& manual_clock() { return clock_; }
  // The profiles the host would have loaded from `device_profiles:`.
  FakeDeviceProfiles& device_profiles() { return profiles_; }

 private:
  FakeClock clock_;
  FakeTimers timers_{clock_};
  FakeExecutor executor_;
  FakeLogger logger_;
  FakeMetrics metrics_;
  FakeKeyValueStore storage_;
  FakeBus bus_;
  FakeServices services_;
  FakeDeviceProfiles profiles_;
  std::string node_name_;
  std::string data_dir_;
};

}  // namespace itc::testing
