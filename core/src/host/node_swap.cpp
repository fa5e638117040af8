// Hot swap, load and unload of single plugins on a running node, and validation of a
// config text against the node.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "host/dependency_order.hpp"
#include "host/node_impl.hpp"
#include "host/plugin_name.hpp"

namespace itc::host {
namespace fs = std::filesystem;

namespace {

// Reads an optional YAML config section given as text (admin API requests).
Result<YAML::Node> parse_section(const std::string& text, const std::string& label) {
  if (text.empty()) return YAML::Node();
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(label + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

std::string trimmed_report(const v1::ConfigReport& r) {
  std::string s = format_report(r);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace

Status Node::swap(const std::string& name, const v1::SwapRequest& request) {
  Impl& d = *impl_;
  std::lock_guard ops(d.ops_mu);
  PluginSlot* slot = d.find_slot(name);
  if (!slot) return Status::NotFound("no plugin named '" + name + "' on this node");
  if (slot->state != v1::RUNNING) {
    return Status::FailedPrecondition("plugin " + name + " is " +
                                      v1::LifecycleState_Name(slot->state) +
                                      "; only a running plugin can be hot-swapped");
  }
  auto dependents = d.running_dependents(*slot);
  if (!dependents.empty()) {
    std::string list;
    for (auto& n : dependents) list += (list.empty() ? "" : ", ") + n;
    return Status::FailedPrecondition(
        "plugin " + name + " provides services that running plugins use (" + list +
        "); they hold its objects, so it cannot be swapped under them: unload them first");
  }
  // The successor's entry: same name, new package or library, new or same config.
  PluginEntry next = slot->entry;
  if (!request.package().empty()) {
    fs::path p(request.package());
    bool is_package = p.extension() == ".itcpkg";
    next.package = is_package ? request.package() : "";
    next.library = is_package ? "" : request.package();
  }
  if (!request.config_yaml().empty()) {
    auto cfg = parse_section(request.config_yaml(), "swap request config");
    if (!cfg.ok()) return cfg.status();
    next.config = *cfg;
  }
  auto opened = open_plugin(next, d.file.node.developer_mode(), d.trusted_keys, d.run_dir);
  if (!opened.ok()) return opened.status().WithContext("swap refused, old version keeps running");
  const auto& info = opened->library->info();
  const auto& old_info = slot->opened.library->info();
  if (info.provides != old_info.provides || info.requires_ != old_info.requires_) {
    return Status::FailedPrecondition("swap refused: " + name + " " + info.version +
                                      " provides/requires other services than " + old_info.version +
                                      "; load it as a new plugin instead");
  }
  v1::ConfigReport report;
  auto config = parse_plugin_config(info, next, d.file.path, &report);
  if (!config.ok()) {
    return Status::InvalidArgument(
        "swap refused, config of the new version: " +
        (report.issues_size() ? trimmed_report(report) : config.status().ToString()));
  }

  // Initialise the successor beside the running version; its subscriptions and services
  // are staged until commit.
  auto instance = opened->library->create();
  if (!instance.ok()) return instance.status().WithContext("swap refused");
  auto data = (fs::path(d.file.node.data_dir()) / "plugins" / name).string();
  auto env = std::make_unique<PluginEnv>(d.node_services(), name, data, true);
  std::shared_ptr<Plugin> successor = *instance;
  auto discard_successor = [&] {
    d.bus->abort_staged(name);
    d.services.abort_staged(name);
    env->retire();
    successor.reset();
    env.reset();
  };
  Status st = successor->initialise(*env, *config);
  if (!st.ok()) {
    discard_successor();
    return st.WithContext("swap refused: " + name + " " + info.version + " failed to initialise; " +
                          old_info.version + " keeps running");
  }

  // Hold the plugin's messages, drain the old version, move its state across.
  d.set_state(*slot, v1::DRAINING);
  auto paused_at = std::chrono::steady_clock::now();
  d.lifecycle.interrupt_waits();  // a handler holding back its sources returns
  d.bus->pause(name);
  auto resume_old = [&](const Status& why) {
    Status restarted = slot->instance->start();
    d.bus->resume(name);
    discard_successor();
    d.set_state(
        *slot, restarted.ok() ? v1::RUNNING : v1::FAILED,
        restarted.ok() ? "" : "could not resume after a failed swap: " + restarted.ToString());
    return why;
  };
  st = slot->instance->drain();
  if (!st.ok()) return resume_old(st.WithContext("swap aborted: old version failed to drain"));
  v1::PluginState state;
  st = slot->instance->export_state(&state);
  if (!st.ok())
    return resume_old(st.WithContext("swap aborted: old version failed to export state"));
  st = successor->import_state(state);
  if (!st.ok()) {
    return resume_old(st.WithContext("swap aborted: " + info.version + " refused the state of " +
                                     old_info.version + " (" + state.type() + " v" +
                                     std::to_string(state.version()) + ")"));
  }
  st = successor->start();
  if (!st.ok()) {
    successor->stop();
    return resume_old(st.WithContext("swap aborted: " + info.version + " failed to start"));
  }
  // Commit: the successor's handlers take over the same queues, in order.
  d.bus->commit_staged(name);
  d.services.commit_staged(name);
  env->commit();
  d.bus->resume(name);
  auto held_for = std::chrono::steady_clock::now() - paused_at;

  // Retire the old version: nothing of it may run once its library closes.
  slot->instance->stop();
  slot->env->retire();
  std::shared_ptr<Plugin> old_instance = std::move(slot->instance);
  std::unique_ptr<PluginEnv> old_env = std::move(slot->env);
  OpenedPlugin old_opened = std::move(slot->opened);
  {
    std::lock_guard lock(d.mu);
    slot->instance = std::move(successor);
    slot->env = std::move(env);
    slot->opened = std::move(*opened);
    slot->entry = next;
    slot->config_bytes = *config;
    ++slot->swaps;
  }
  old_instance.reset();
  old_env.reset();
  old_opened = {};
  double held_ms = std::chrono::duration<double, std::milli>(held_for).count();
  d.metrics.gauge(name, "swap_hold_seconds", "Time messages were held during the last hot swap")
      .set(held_ms / 1000.0);
  spdlog::info("plugin {} swapped {} → {}; messages held for {:.2f} ms", name, old_info.version,
               info.version, held_ms);
  d.set_state(*slot, v1::RUNNING);
  return Status::Ok();
}

Status Node::load(const v1::LoadRequest& request) {
  Impl& d = *impl_;
  std::lock_guard ops(d.ops_mu);
  // The name becomes file names under the data dir: checked before anything else.
  ITC_RETURN_IF_ERROR(check_plugin_name(request.name(), "load: name"));
  if (PluginSlot* existing = d.find_slot(request.name())) {
    if (existing->state != v1::UNLOADED && existing->state != v1::FAILED) {
      return Status::AlreadyExists("plugin " + request.name() + " is already " +
                                   v1::LifecycleState_Name(existing->state));
    }
    std::lock_guard lock(d.mu);
    std::erase_if(d.slots, [&](const auto& s) { return s.get() == existing; });
  }
  auto slot = std::make_unique<PluginSlot>();
  slot->name = request.name();
  slot->entry.name = request.name();
  fs::path p(request.package());
  (p.extension() == ".itcpkg" ? slot->entry.package : slot->entry.library) = request.package();
  slot->entry.field_path = "load(" + request.name() + ")";
  auto cfg = parse_section(request.config_yaml(), "load request config");
  if (!cfg.ok()) return cfg.status();
  slot->entry.config = *cfg;
  PluginSlot* s = slot.get();
  {
    std::lock_guard lock(d.mu);
    d.slots.push_back(std::move(slot));
  }
  d.set_state(*s, v1::DISCOVERED);
  auto opened = open_plugin(s->entry, d.file.node.developer_mode(), d.trusted_keys, d.run_dir);
  if (!opened.ok()) {
    d.set_state(*s, v1::FAILED, opened.status().ToString());
    return opened.status();
  }
  s->opened = std::move(*opened);
  d.set_state(*s, v1::LOADED);
  const auto& info = s->opened.library->info();
  auto plan = plan_dependencies({{s->name, info.provides, info.requires_}}, d.running_providers());
  if (auto f = plan.failures.find(s->name); f != plan.failures.end()) {
    s->opened = {};
    d.set_state(*s, v1::FAILED, f->second);
    return Status::FailedPrecondition(s->name + ": " + f->second);
  }
  s->needs = plan.needs[s->name];
  return d.bring_up(*s);
}

Status Node::unload(const std::string& name) {
  Impl& d = *impl_;
  std::lock_guard ops(d.ops_mu);
  PluginSlot* slot = d.find_slot(name);
  if (!slot) return Status::NotFound("no plugin named '" + name + "' on this node");
  auto dependents = d.running_dependents(*slot);
  if (!dependents.empty()) {
    std::string list;
    for (auto& n : dependents) list += (list.empty() ? "" : ", ") + n;
    return Status::FailedPrecondition("cannot unload " + name + ": running plugins need it (" +
                                      list + "); unload them first");
  }
  if (slot->instance) {
    d.set_state(*slot, v1::DRAINING);
    Status st = slot->instance->drain();
    if (!st.ok()) d.warn("plugin " + name + " failed to drain: " + st.ToString());
    slot->instance->stop();
    d.set_state(*slot, v1::STOPPED);
    d.tear_down(*slot);
  }
  slot->opened = {};
  d.set_state(*slot, v1::UNLOADED);
  return Status::Ok();
}

v1::ConfigReport Node::validate_config(const std::string& yaml_text,
                                       const std::string& file_label) const {
  const Impl& d = *impl_;
  v1::ConfigReport report;
  auto file = parse_node_file(yaml_text, file_label, d.file.dir, &report);
  if (!file.ok()) {
    report.set_ok(false);
    return report;
  }
  // Security settings come from the node's own configuration only: the text being
  // validated may ask for developer mode or other vendor keys, but what is loaded here
  // is what this node would load. Asking for more is an issue (apply needs a restart).
  const v1::NodeConfig& own = d.file.node;
  const bool dev = own.developer_mode();
  if (file->node.developer_mode() && !dev) {
    v1::ConfigIssue* issue = report.add_issues();
    issue->set_file(file_label);
    issue->set_field("node.developer_mode");
    issue->set_message(
        "this node runs without developer mode; it changes only with the node's own config "
        "file (or --dev) and a restart, and unsigned libraries are not loaded to validate");
  }
  const auto& own_keys = own.trusted_vendor_keys();
  for (int i = 0; i < file->node.trusted_vendor_keys_size(); ++i) {
    const std::string& key = file->node.trusted_vendor_keys(i);
    if (std::find(own_keys.begin(), own_keys.end(), key) != own_keys.end()) continue;
    v1::ConfigIssue* issue = report.add_issues();
    issue->set_file(file_label);
    issue->set_field("node.trusted_vendor_keys[" + std::to_string(i) + "]");
    issue->set_message(
        "this node does not trust this key (it is not in the node's own trusted_vendor_keys); "
        "trusted keys change only with the node's own config file and a restart, and "
        "packages are checked against the node's keys");
  }
  for (const auto& entry : file->plugins) {
    auto opened = open_plugin(entry, dev, d.trusted_keys, d.run_dir);
    if (!opened.ok()) {
      v1::ConfigIssue* issue = report.add_issues();
      issue->set_file(file_label);
      issue->set_line(static_cast<std::uint32_t>(entry.line));
      issue->set_field(entry.field_path);
      issue->set_message(opened.status().message());
      continue;
    }
    auto config = parse_plugin_config(opened->library->info(), entry, file_label, &report);
    if (!config.ok()) continue;
    auto instance = opened->library->create();
    if (!instance.ok()) continue;
    Status st = (*instance)->validate_config(*config);
    if (!st.ok()) *report.add_issues() = locate_plugin_error(entry, file_label, st);
  }
  report.set_ok(report.issues_size() == 0);
  return report;
}

}  // namespace itc::host
