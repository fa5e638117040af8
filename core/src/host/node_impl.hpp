// Node internals shared by node.cpp (start, stop, status) and node_swap.cpp (swap,
// load, unload). Not part of the SDK.
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "host/commit_watch.hpp"
#include "host/config_file.hpp"
#include "host/device_directory.hpp"
#include "host/device_profile_catalog.hpp"
#include "host/disk_watermark.hpp"
#include "host/kv_store.hpp"
#include "host/ledger_view.hpp"
#include "host/message_bus.hpp"
#include "host/metrics_registry.hpp"
#include "host/node.hpp"
#include "host/plugin_env.hpp"
#include "host/plugin_runtime.hpp"
#include "host/scheduler.hpp"
#include "itc/services/node_lifecycle.hpp"

namespace itc::host {

// Owner name of the services the host itself provides (not a valid plugin name).
inline constexpr const char* kHostServiceOwner = "<host>";

// The itc.node-lifecycle.v1 service the host provides: stopping() turns true when
// shutdown() begins, so plugins holding back their sources let everything through;
// interrupt_waits() before the host pauses a plugin makes its waiting handlers return.
class HostLifecycle final : public NodeLifecycle {
 public:
  bool stopping() const override { return stopping_.load(); }
  std::uint64_t interruptions() const override { return interruptions_.load(); }
  void begin_stop() {
    stopping_.store(true);
    interrupt_waits();
  }
  void interrupt_waits() { interruptions_.fetch_add(1); }

 private:
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> interruptions_{0};
};

// Reads an optional YAML config section given as text (admin swap and load requests);
// empty text is an empty node. Errors name `label`, line and column.
Result<YAML::Node> parse_config_section(const std::string& text, const std::string& label);

struct Node::Impl {
  NodeOptions options;
  NodeFile file;
  std::vector<std::string> trusted_keys;  // raw 32-byte keys
  std::string run_dir;
  std::int64_t started_at_us = 0;

  std::unique_ptr<KvStore> kv;
  MetricsRegistry metrics;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<MessageBus> bus;
  ServiceRegistry services;
  HostLifecycle lifecycle;

  std::mutex ops_mu;  // one lifecycle operation (start, swap, load, unload, stop) at a time
  std::unique_ptr<PluginRuntime> plugins;  // made in create(), once the bus exists
  mutable std::mutex mu;                   // guards the event sinks
  std::map<std::uint64_t, EventSink> sinks;
  std::uint64_t next_sink = 1;
  bool shut_down = false;

  // The read side: what flows past on the bus (readings, blocks; node.cpp's taps feed it).
  LedgerView ledger;
  // Devices: the profiles the config lists (a host-provided service), the directory
  // the admin API reads, and once-a-second stats for the event stream.
  DeviceProfileCatalog profiles;
  std::unique_ptr<DeviceDirectory> devices;
  std::string config_text;  // as started, or as last applied
  // The data dir's disk watermarks (the itc.disk-space.v1 service); checked on the host's
  // timer from create() on.
  std::unique_ptr<DiskWatermark> disk;
  std::uint64_t host_timers = 0;  // scheduler owner of the host's own timers

  // Readiness (node_readiness.cpp): where start()/shutdown() are, and whether blocks are
  // committed while work waits. Shared: a transaction's handle may outlive the node.
  enum class Phase { kCreated, kStarting, kRunning, kStopping };
  std::atomic<Phase> phase{Phase::kCreated};
  std::shared_ptr<CommitWatch> commits = std::make_shared<CommitWatch>();

  NodeServices node_services();
  void emit(v1::Event event);
  void warn(const std::string& message);
  Status subscribe_host_taps();
  Status subscribe_device_taps();  // node_devices.cpp
  void note_reading(const v1::Reading& reading);
  void note_command_result(const v1::CommandResult& result);  // a device's own verdict
  void emit_device(std::optional<v1::DeviceStatus> changed);
  void start_stats_timer();  // node_devices.cpp
  void start_disk_timer();
  v1::NodeStats stats(double seconds, std::uint64_t tx, std::uint64_t readings) const;
  void register_collectors();
  // Maps the profiles' protocol sections with the schemas of the plugins whose libraries
  // are open now and replaces the catalog (node_devices.cpp); problems are warnings.
  void bind_profiles();
};

}  // namespace itc::host
