// Node: the host's façade. It owns the bus, the plugin slots and their lifecycle, and is
// what itc-node's main and the admin API drive.
// Thread safety: all public methods may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/device_directory.hpp"
#include "itc/status.hpp"
#include "itc/v1/device.pb.h"
#include "itc/v1/ledger.pb.h"
#include "itc/v1/node.pb.h"
#include "itc/v1/plugin.pb.h"
#include "itc/v1/profile.pb.h"

namespace itc::host {

class MetricsRegistry;

struct NodeOptions {
  std::string config_file;      // the node's YAML file
  bool developer_mode = false;  // --dev: also load unsigned libraries
};

class Node {
 public:
  // Reads and validates the config file; loads nothing yet. On config errors the status
  // message lists every issue as "file:line:col: field: message".
  static Result<std::unique_ptr<Node>> create(const NodeOptions& options);
  ~Node();

  // Loads, initialises and starts every configured plugin in dependency order. A plugin
  // that fails is marked FAILED with its reason, and so are the plugins that need it;
  // the rest run. Returns the first failure (the node keeps running what it could).
  Status start();
  // Drains, stops and unloads every plugin in reverse dependency order. Ok if nothing
  // was lost; otherwise Aborted naming each loss (a plugin that failed to drain, e.g.
  // readings it could neither commit nor save, and messages left in queues). Once
  // stopped, later calls return Ok.
  Status shutdown();

  // Liveness needs nothing from the node; readiness (GET /readyz) is this. The node is
  // ready when it has started (and is not stopping), every plugin that is not unloaded is
  // RUNNING, and — on a node that orders blocks, i.e. a running plugin requires the ledger
  // store (solo, pbft) — no work has waited longer than node.admin.readiness_commit_window_ms
  // without a block being committed (see host/commit_watch.hpp for "work" and "waited").
  struct Readiness {
    std::vector<std::string> not_ready;  // one line per thing not ready; empty: ready
    bool ready() const { return not_ready.empty(); }
  };
  Readiness readiness() const;
  // A transaction submitted through the admin API counts as work waiting for a commit
  // until the returned handle (and every copy) is released, at its verdict. The handle
  // may outlive the node.
  std::shared_ptr<void> transaction_waiting();

  v1::NodeInfo info() const;
  v1::NodeConfig config() const;  // the `node:` section, defaults applied
  std::vector<v1::PluginStatus> plugins() const;
  std::string data_dir() const;

  // Hot swap: replaces a running plugin by the package (or, in developer mode, library)
  // in `request`, carrying its state over; messages for it are held meanwhile. On failure
  // the old version keeps running and the status says why.
  Status swap(const std::string& plugin, const v1::SwapRequest& request);
  Status load(const v1::LoadRequest& request);  // name checked (plugin_name.hpp) first
  Status unload(const std::string& plugin);

  // Validates YAML text as this node's config file (plugins' sections included). The
  // plugins are opened under this node's own policy (its developer mode and trusted keys),
  // never the text's: a text asking for developer mode or a key the node does not trust
  // is an issue, and no library the node would refuse is opened.
  v1::ConfigReport validate_config(const std::string& yaml_text,
                                   const std::string& file_label) const;

  // Makes the running node match `yaml_text`: plugins whose package or config section
  // changed are hot-swapped, new ones loaded, missing ones unloaded. The `node:` section
  // cannot change at run time (that needs a restart). Nothing changes if the text does
  // not validate.
  v1::ApplyResult apply_config(const std::string& yaml_text, const std::string& file_label);

  // The service a running plugin provides under `name` (e.g. LedgerStore::kServiceName),
  // or nullptr if none does. Like the calls above, valid while its provider runs.
  void* find_service(std::string_view name) const;

  std::vector<v1::Reading> recent_readings(std::size_t max) const;

  // Devices as the host's directory sees them, and the device profiles it loaded.
  v1::DeviceList devices(const DeviceFilter& filter) const;
  std::optional<v1::DeviceStatus> device(const std::string& device_id) const;
  v1::DeviceProfileList device_profiles() const;
  v1::ConfigText config_text() const;
  // NotFound if no plugin of that name is loaded.
  Result<v1::PluginConfig> plugin_config(const std::string& name) const;
  std::optional<v1::BlockCommitted> ledger_head() const;
  v1::CommandResult submit_command(const v1::Command& cmd);
  std::vector<v1::TopicStats> topic_stats() const;
  MetricsRegistry& metrics();

  // Live events (plugin state changes, committed blocks, warnings, command results).
  // Sinks are called outside the node's lock on the thread that caused the event; a
  // sink may still be running (once) while unsubscribe_events() returns, so a sink's
  // owner must guard its own lifetime. Sinks must be fast and must not block.
  using EventSink = std::function<void(const v1::Event&)>;
  std::uint64_t subscribe_events(EventSink sink);
  void unsubscribe_events(std::uint64_t id);

 private:
  friend class HotSwap;
  Node();
  struct Impl;
  // validate_config(), and the config's profiles with their protocol sections mapped by
  // the schemas of the config's plugins (into *profiles, when it validates).
  static v1::ConfigReport check_config(
      const Impl& d, const std::string& yaml_text, const std::string& file_label,
      std::vector<std::shared_ptr<const v1::DeviceProfile>>* profiles);
  std::unique_ptr<Impl> impl_;
};

}  // namespace itc::host
