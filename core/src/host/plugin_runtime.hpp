// PluginRuntime: the node's plugins — one slot per configured plugin with its visible
// lifecycle state — and every step that moves them: bring-up in dependency order (all
// initialise, then all start), load and unload of one plugin, tear-down, and the
// drain-then-stop shutdown along the data flow. Node is the facade over it; HotSwap
// (hot_swap.hpp) replaces what runs in one slot.
//
// Thread safety: the lifecycle operations (start, stop, load, unload, a swap) run one at a
// time under the node's ops lock. The queries (find, statuses, visit, running_dependents)
// may be called from any thread; they take the runtime's own lock, which guards the slots'
// visible fields and the slot list.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "host/config_file.hpp"
#include "host/plugin_env.hpp"
#include "host/plugin_source.hpp"
#include "itc/v1/node.pb.h"

namespace itc::host {

class MessageBus;
class ServiceRegistry;

// One configured plugin: what runs in it now, and its visible lifecycle state.
struct PluginSlot {
  std::string name;
  PluginEntry entry;
  v1::LifecycleState state = v1::DISCOVERED;
  std::string reason;
  OpenedPlugin opened;
  std::string config_bytes;
  std::unique_ptr<PluginEnv> env;
  std::shared_ptr<Plugin> instance;
  std::uint32_t swaps = 0;
  std::vector<std::string> needs;  // plugins whose services it requires
};

// What the runtime uses of the node that owns it; every reference outlives the runtime.
struct RuntimeContext {
  const NodeFile& file;  // config path, data dir, developer mode
  const std::vector<std::string>& trusted_keys;
  const std::string& run_dir;  // this process's unique library copies
  MessageBus& bus;
  ServiceRegistry& services;
  NodeServices node_services;
  std::function<void(v1::Event)> emit;           // lifecycle events to the node's sinks
  std::function<void(const std::string&)> warn;  // logged and emitted as a warning
  // After libraries are opened and before any of them initialises (start, load): the
  // node maps the profiles' protocol sections with the opened plugins' schemas.
  std::function<void()> opened;
};

class PluginRuntime {
 public:
  explicit PluginRuntime(RuntimeContext context) : ctx_(std::move(context)) {}
  PluginRuntime(const PluginRuntime&) = delete;
  PluginRuntime& operator=(const PluginRuntime&) = delete;

  // Opens every configured plugin, plans the dependencies, initialises all of them (so
  // each subscribes and provides its services) and then starts them, providers first. A
  // plugin that fails is FAILED with its reason and the others go on; returns the first
  // failure.
  Status start(const std::vector<PluginEntry>& entries);

  // Drains every plugin along the data flow (sources first, each after the plugins that
  // need it, waiting for its queues to empty), then stops and unloads them. Returns what
  // was lost (a failed drain, messages left in a queue), empty if nothing.
  std::vector<std::string> stop();

  // One plugin on a running node: load (after an UNLOADED or FAILED slot of that name) and
  // bring up against the running providers; unload refuses while running plugins need it.
  Status load(PluginEntry entry);
  Status unload(const std::string& name);

  PluginSlot* find(const std::string& name);
  std::vector<v1::PluginStatus> statuses() const;
  v1::PluginStatus status_of(const PluginSlot& slot) const;  // caller holds no lock
  // The running plugins that need `slot`'s services.
  std::vector<std::string> running_dependents(const PluginSlot& slot) const;
  // Calls fn(const PluginSlot&) for every slot, in start order, under the runtime's lock.
  template <typename Fn>
  void visit(Fn&& fn) const {
    std::lock_guard lock(mu_);
    for (const auto& s : slots_) fn(static_cast<const PluginSlot&>(*s));
  }
  // Runs fn() under the runtime's lock: for changing a slot's visible fields (a swap).
  template <typename Fn>
  void update(Fn&& fn) {
    std::lock_guard lock(mu_);
    fn();
  }

  // Moves `slot` to `state` and emits the event, if plugin_lifecycle.hpp's table allows
  // the change; otherwise logs it as a bug and leaves the slot as it is.
  void set_state(PluginSlot& slot, v1::LifecycleState state, std::string reason = "");

 private:
  PluginSlot& add_slot(PluginEntry entry);       // DISCOVERED
  bool open(PluginSlot& slot, Status* failure);  // -> LOADED, or FAILED
  // Drops the slot's library: cleared under the lock (statuses() reads it from the admin
  // API's threads), closed outside it.
  void release_library(PluginSlot& slot);
  std::map<std::string, std::string> running_providers() const;
  // Initialises and starts a slot whose library is open. On failure the slot is FAILED
  // with the reason and nothing of it stays registered.
  Status bring_up(PluginSlot& slot);
  Status initialise(PluginSlot& slot);  // config, create, initialise -> INITIALISED
  Status start(PluginSlot& slot);       // start -> RUNNING
  // Stops and releases the slot's instance (bus, services, timers, library). Returns the
  // number of messages that were still queued for it (they are gone).
  std::size_t tear_down(PluginSlot& slot);
  // Data-flow order (connection first, cyber last), dependents before their providers.
  std::vector<PluginSlot*> shutdown_order() const;

  RuntimeContext ctx_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<PluginSlot>> slots_;  // in start order
};

}  // namespace itc::host
