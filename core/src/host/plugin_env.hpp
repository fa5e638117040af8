// PluginEnv: the HostEnv one plugin instance sees. Everything it hands out is tracked
// so that retire() can take back the instance's timers and tasks before the plugin's
// library is closed. An instance created for a hot swap starts "staged": its bus
// subscriptions and services wait beside the running version's until commit().
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "host/kv_store.hpp"
#include "host/message_bus.hpp"
#include "host/metrics_registry.hpp"
#include "host/scheduler.hpp"
#include "itc/host_env.hpp"

namespace itc::host {

// Services between plugins, by name. A staged provider's entry waits for commit.
class ServiceRegistry {
 public:
  Status provide(const std::string& owner, bool staged, std::string_view name, void* service);
  void* find(std::string_view name) const;
  void commit_staged(const std::string& owner);
  void abort_staged(const std::string& owner);
  void remove_owner(const std::string& owner);

 private:
  struct Entry {
    std::string owner;
    void* service = nullptr;
    void* staged = nullptr;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
};

// What all plugin environments of one node share.
struct NodeServices {
  MessageBus* bus = nullptr;
  Scheduler* scheduler = nullptr;
  MetricsRegistry* metrics = nullptr;
  KvStore* kv = nullptr;
  ServiceRegistry* services = nullptr;
  std::string node_name;
};

class PluginEnv final : public HostEnv {
 public:
  PluginEnv(const NodeServices& node, std::string plugin, std::string data_dir, bool staged);
  ~PluginEnv() override;

  const Clock& clock() override;
  Timers& timers() override;
  Executor& executor() override;
  Logger& log() override;
  Metrics& metrics() override;
  KeyValueStore& storage() override;
  Bus& bus() override;
  Services& services() override;
  std::string data_dir() override { return data_dir_; }
  std::string node_name() override { return node_.node_name; }

  // The swap succeeded: subscriptions and services made from now on are live.
  void commit() { staged_.store(false); }
  // Cancels the instance's timers and waits for its tasks; later ones are refused.
  void retire();
  std::uint64_t owner_id() const { return owner_id_; }

 private:
  class EnvClock;
  class EnvTimers;
  class EnvExecutor;
  class EnvLogger;
  class EnvBus;
  class EnvServices;

  NodeServices node_;
  std::string plugin_;
  std::string data_dir_;
  std::atomic<bool> staged_;
  std::uint64_t owner_id_;
  std::unique_ptr<EnvClock> clock_;
  std::unique_ptr<EnvTimers> timers_;
  std::unique_ptr<EnvExecutor> executor_;
  std::unique_ptr<EnvLogger> logger_;
  std::unique_ptr<PluginMetrics> metrics_;
  std::unique_ptr<NamespacedStore> storage_;
  std::unique_ptr<EnvBus> bus_;
  std::unique_ptr<EnvServices> services_;
};

}  // namespace itc::host
