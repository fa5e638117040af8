#include "host/plugin_env.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "host/kv_store.hpp"

namespace itc::host {

// --- ServiceRegistry -------------------------------------------------------------------

Status ServiceRegistry::provide(const std::string& owner, bool staged, std::string_view name,
                                void* service) {
  if (!service)
    return Status::InvalidArgument(owner + ": provides '" + std::string(name) + "' as null");
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it != entries_.end() && it->second.owner != owner) {
    return Status::AlreadyExists(owner + " cannot provide '" + std::string(name) +
                                 "': it is already provided by " + it->second.owner);
  }
  Entry& e = entries_[std::string(name)];
  e.owner = owner;
  (staged ? e.staged : e.service) = service;
  return Status::Ok();
}

void* ServiceRegistry::find(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second.service;
}

void ServiceRegistry::commit_staged(const std::string& owner) {
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.owner == owner) {
      it->second.service = it->second.staged;
      it->second.staged = nullptr;
      if (!it->second.service) {
        it = entries_.erase(it);
        continue;
      }
    }
    ++it;
  }
}

void ServiceRegistry::abort_staged(const std::string& owner) {
  std::lock_guard lock(mu_);
  for (auto& [name, e] : entries_)
    if (e.owner == owner) e.staged = nullptr;
}

void ServiceRegistry::remove_owner(const std::string& owner) {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.owner == owner; });
}

// --- The pieces of a plugin's environment ----------------------------------------------

class PluginEnv::EnvClock final : public Clock {
 public:
  std::chrono::nanoseconds steady_now() const override {
    return std::chrono::steady_clock::now().time_since_epoch();
  }
  std::int64_t unix_micros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class PluginEnv::EnvTimers final : public Timers {
 public:
  EnvTimers(Scheduler& s, std::uint64_t owner) : s_(s), owner_(owner) {}
  TimerId schedule_after(std::chrono::nanoseconds delay, std::function<void()> fn) override {
    return s_.schedule(owner_, delay, std::chrono::nanoseconds(0), std::move(fn));
  }
  TimerId schedule_every(std::chrono::nanoseconds period, std::function<void()> fn) override {
    if (period.count() <= 0) period = std::chrono::milliseconds(1);
    return s_.schedule(owner_, period, period, std::move(fn));
  }
  void cancel(TimerId id) override { s_.cancel(id); }

 private:
  Scheduler& s_;
  std::uint64_t owner_;
};

class PluginEnv::EnvExecutor final : public Executor {
 public:
  EnvExecutor(Scheduler& s, std::uint64_t owner, std::string plugin)
      : s_(s), owner_(owner), plugin_(std::move(plugin)) {}
  void post(std::function<void()> task) override {
    if (!s_.post(owner_, std::move(task))) {
      spdlog::warn("[{}] task posted after the plugin was retired; not run", plugin_);
    }
  }

 private:
  Scheduler& s_;
  std::uint64_t owner_;
  std::string plugin_;
};

class PluginEnv::EnvLogger final : public Logger {
 public:
  explicit EnvLogger(std::string plugin) : plugin_(std::move(plugin)) {}
  void log(LogLevel level, std::string_view m) override {
    switch (level) {
      case LogLevel::kDebug:
        spdlog::debug("[{}] {}", plugin_, m);
        break;
      case LogLevel::kInfo:
        spdlog::info("[{}] {}", plugin_, m);
        break;
      case LogLevel::kWarn:
        spdlog::warn("[{}] {}", plugin_, m);
        break;
      case LogLevel::kError:
        spdlog::error("[{}] {}", plugin_, m);
        break;
    }
  }

 private:
  std::string plugin_;
};

class PluginEnv::EnvBus final : public Bus {
 public:
  EnvBus(MessageBus& bus, std::string owner, const std::atomic<bool>& staged)
      : bus_(bus), owner_(std::move(owner)), staged_(staged) {}
  Status publish(std::string_view topic, MessagePtr msg) override {
    return bus_.publish(topic, std::move(msg));
  }
  Status try_publish(std::string_view topic, MessagePtr msg) override {
    return bus_.try_publish(topic, std::move(msg));
  }
  Status subscribe(std::string_view topic, std::string_view type_name,
                   MessageHandler handler) override {
    return bus_.subscribe_as(owner_, staged_.load(), topic, type_name, std::move(handler));
  }

 private:
  MessageBus& bus_;
  std::string owner_;
  const std::atomic<bool>& staged_;
};

class PluginEnv::EnvServices final : public Services {
 public:
  EnvServices(ServiceRegistry& r, std::string owner, const std::atomic<bool>& staged)
      : r_(r), owner_(std::move(owner)), staged_(staged) {}
  Status provide(std::string_view name, void* service) override {
    return r_.provide(owner_, staged_.load(), name, service);
  }
  void* find(std::string_view name) override { return r_.find(name); }

 private:
  ServiceRegistry& r_;
  std::string owner_;
  const std::atomic<bool>& staged_;
};

// --- PluginEnv --------------------------------------------------------------------------

PluginEnv::PluginEnv(const NodeServices& node, std::string plugin, std::string data_dir,
                     bool staged)
    : node_(node),
      plugin_(std::move(plugin)),
      data_dir_(std::move(data_dir)),
      staged_(staged),
      owner_id_(node.scheduler->new_owner()) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir_, ec);
  clock_ = std::make_unique<EnvClock>();
  timers_ = std::make_unique<EnvTimers>(*node_.scheduler, owner_id_);
  executor_ = std::make_unique<EnvExecutor>(*node_.scheduler, owner_id_, plugin_);
  logger_ = std::make_unique<EnvLogger>(plugin_);
  metrics_ = std::make_unique<PluginMetrics>(*node_.metrics, plugin_);
  storage_ = std::make_unique<NamespacedStore>(node_.kv, plugin_);
  bus_ = std::make_unique<EnvBus>(*node_.bus, plugin_, staged_);
  services_ = std::make_unique<EnvServices>(*node_.services, plugin_, staged_);
}

PluginEnv::~PluginEnv() { retire(); }

void PluginEnv::retire() { node_.scheduler->retire(owner_id_); }

const Clock& PluginEnv::clock() { return *clock_; }
Timers& PluginEnv::timers() { return *timers_; }
Executor& PluginEnv::executor() { return *executor_; }
Logger& PluginEnv::log() { return *logger_; }
Metrics& PluginEnv::metrics() { return *metrics_; }
KeyValueStore& PluginEnv::storage() { return *storage_; }
Bus& PluginEnv::bus() { return *bus_; }
Services& PluginEnv::services() { return *services_; }

}  // namespace itc::host
