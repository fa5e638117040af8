// HostEnv: everything a plugin gets from its host. Plugins use nothing else of the OS
// for time, threads, storage or messaging, so a test can hand them a fake environment
// (itc/testing/fake_env.hpp) with a manual clock.
//
// Thread safety: every interface here may be called from any thread.
// Lifetime: objects returned by reference live at least as long as the plugin instance.
// Callbacks a plugin registers (timers, tasks, bus handlers) are removed by the host
// before the plugin's library is closed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "itc/bus.hpp"
#include "itc/status.hpp"

namespace itc {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time, for intervals and timeouts.
  virtual std::chrono::nanoseconds steady_now() const = 0;
  // Wall-clock time, Unix microseconds, for timestamps on data.
  virtual std::int64_t unix_micros() const = 0;
};

using TimerId = std::uint64_t;

class Timers {
 public:
  virtual ~Timers() = default;
  // Runs `fn` once after `delay` on a host thread. Returns an id for cancel().
  virtual TimerId schedule_after(std::chrono::nanoseconds delay, std::function<void()> fn) = 0;
  // Runs `fn` every `period` until cancelled. The next run waits for the previous one.
  virtual TimerId schedule_every(std::chrono::nanoseconds period, std::function<void()> fn) = 0;
  // After cancel() returns, `fn` is not running and will not run again.
  virtual void cancel(TimerId id) = 0;
};

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `task` soon on a host worker thread.
  virtual void post(std::function<void()> task) = 0;
};

enum class LogLevel { kDebug, kInfo, kWarn, kError };

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;
  void debug(std::string_view m) { log(LogLevel::kDebug, m); }
  void info(std::string_view m) { log(LogLevel::kInfo, m); }
  void warn(std::string_view m) { log(LogLevel::kWarn, m); }
  void error(std::string_view m) { log(LogLevel::kError, m); }
};

// A monotonically increasing count. Survives a hot swap of the plugin that owns it.
class Counter {
 public:
  virtual ~Counter() = default;
  virtual void add(std::uint64_t n = 1) = 0;
  virtual std::uint64_t value() const = 0;
};

class Gauge {
 public:
  virtual ~Gauge() = default;
  virtual void set(double v) = 0;
  virtual double value() const = 0;
};

// Metrics appear on the admin API's /metrics as itc_<name>{plugin="<plugin name>"}.
// `name` is [a-z_][a-z0-9_]*; asking twice for one name returns the same object.
class Metrics {
 public:
  virtual ~Metrics() = default;
  virtual Counter& counter(std::string_view name, std::string_view help) = 0;
  virtual Gauge& gauge(std::string_view name, std::string_view help) = 0;
};

// Durable key-value storage private to the plugin (by name), kept across restarts and
// hot swaps. put() returns after the value is durable.
class KeyValueStore {
 public:
  virtual ~KeyValueStore() = default;
  virtual Status put(std::string_view key, std::string_view value) = 0;
  virtual Result<std::optional<std::string>> get(std::string_view key) = 0;
  virtual Status erase(std::string_view key) = 0;
};

// Typed services between plugins. A service interface declares
//   static constexpr std::string_view kServiceName = "itc.ledger-store.v1";
// A plugin that provides it names the service in its info record's `provides`; one that
// uses it names it in `requires`, and the host starts the provider first and stops it last.
class Services {
 public:
  virtual ~Services() = default;
  virtual Status provide(std::string_view name, void* service) = 0;
  virtual void* find(std::string_view name) = 0;

  template <typename T>
  Status provide(T* service) {
    return provide(T::kServiceName, static_cast<void*>(service));
  }
  // nullptr if no running plugin provides it.
  template <typename T>
  T* find() {
    return static_cast<T*>(find(T::kServiceName));
  }
};

class HostEnv {
 public:
  virtual ~HostEnv() = default;
  virtual const Clock& clock() = 0;
  virtual Timers& timers() = 0;
  virtual Executor& executor() = 0;
  virtual Logger& log() = 0;
  virtual Metrics& metrics() = 0;
  virtual KeyValueStore& storage() = 0;
  virtual Bus& bus() = 0;
  virtual Services& services() = 0;
  // The plugin's own directory under the node's data dir (created by the host).
  virtual std::string data_dir() = 0;
  // The node's name, from its config.
  virtual std::string node_name() = 0;
};

}  // namespace itc
