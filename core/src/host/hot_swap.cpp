// See hot_swap.hpp. The steps keep the order the old single function had: nothing of the
// old version may run once its library closes, and the plugin's messages are held from
// quiesce() until commit() or roll_back().
#include "host/hot_swap.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace itc::host {
namespace fs = std::filesystem;

namespace {

std::string trimmed_report(const v1::ConfigReport& r) {
  std::string s = format_report(r);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace

HotSwap::HotSwap(Node::Impl& node, std::string name, const v1::SwapRequest& request)
    : d_(node), name_(std::move(name)), request_(request) {}

HotSwap::~HotSwap() {
  if (successor_ || env_) discard_successor();
}

Status HotSwap::prepare() {
  slot_ = d_.plugins->find(name_);
  if (!slot_) return Status::NotFound("no plugin named '" + name_ + "' on this node");
  if (slot_->state != v1::RUNNING) {
    return Status::FailedPrecondition("plugin " + name_ + " is " +
                                      v1::LifecycleState_Name(slot_->state) +
                                      "; only a running plugin can be hot-swapped");
  }
  auto dependents = d_.plugins->running_dependents(*slot_);
  if (!dependents.empty()) {
    std::string list;
    for (auto& n : dependents) list += (list.empty() ? "" : ", ") + n;
    return Status::FailedPrecondition(
        "plugin " + name_ + " provides services that running plugins use (" + list +
        "); they hold its objects, so it cannot be swapped under them: unload them first");
  }
  // The successor's entry: same name, new package or library, new or same config.
  next_ = slot_->entry;
  if (!request_.package().empty()) {
    fs::path p(request_.package());
    bool is_package = p.extension() == ".itcpkg";
    next_.package = is_package ? request_.package() : "";
    next_.library = is_package ? "" : request_.package();
  }
  if (!request_.config_yaml().empty()) {
    auto cfg = parse_config_section(request_.config_yaml(), "swap request config");
    if (!cfg.ok()) return cfg.status();
    next_.config = *cfg;
  }
  auto opened = open_plugin(next_, d_.file.node.developer_mode(), d_.trusted_keys, d_.run_dir);
  if (!opened.ok()) return opened.status().WithContext("swap refused, old version keeps running");
  opened_ = std::move(*opened);
  const auto& info = opened_.library->info();
  const auto& old_info = slot_->opened.library->info();
  old_version_ = old_info.version;
  if (info.provides != old_info.provides || info.requires_ != old_info.requires_) {
    return Status::FailedPrecondition("swap refused: " + name_ + " " + info.version +
                                      " provides/requires other services than " + old_version_ +
                                      "; load it as a new plugin instead");
  }
  v1::ConfigReport report;
  auto config = parse_plugin_config(info, next_, d_.file.path, &report);
  if (!config.ok()) {
    return Status::InvalidArgument(
        "swap refused, config of the new version: " +
        (report.issues_size() ? trimmed_report(report) : config.status().ToString()));
  }
  config_ = *config;

  // Initialise the successor beside the running version; its subscriptions and services
  // are staged until commit.
  auto instance = opened_.library->create();
  if (!instance.ok()) return instance.status().WithContext("swap refused");
  auto data = (fs::path(d_.file.node.data_dir()) / "plugins" / name_).string();
  env_ = std::make_unique<PluginEnv>(d_.node_services(), name_, data, true);
  successor_ = *instance;
  Status st = successor_->initialise(*env_, config_);
  if (!st.ok()) {
    discard_successor();
    return st.WithContext("swap refused: " + name_ + " " + info.version +
                          " failed to initialise; " + old_version_ + " keeps running");
  }
  return Status::Ok();
}

Status HotSwap::quiesce() {
  d_.plugins->set_state(*slot_, v1::DRAINING);
  paused_at_ = std::chrono::steady_clock::now();
  d_.lifecycle.interrupt_waits();  // a handler holding back its sources returns
  d_.bus->pause(name_);
  Status st = slot_->instance->drain();
  if (!st.ok()) return st.WithContext("swap aborted: old version failed to drain");
  return Status::Ok();
}

Status HotSwap::transfer_state() {
  v1::PluginState state;
  Status st = slot_->instance->export_state(&state);
  if (!st.ok()) return st.WithContext("swap aborted: old version failed to export state");
  st = successor_->import_state(state);
  if (!st.ok()) {
    return st.WithContext("swap aborted: " + opened_.library->info().version +
                          " refused the state of " + old_version_ + " (" + state.type() + " v" +
                          std::to_string(state.version()) + ")");
  }
  return Status::Ok();
}

Status HotSwap::start_successor() {
  Status st = successor_->start();
  if (!st.ok()) {
    successor_->stop();
    return st.WithContext("swap aborted: " + opened_.library->info().version + " failed to start");
  }
  return Status::Ok();
}

void HotSwap::commit() {
  // The successor's handlers take over the same queues, in order.
  d_.bus->commit_staged(name_);
  d_.services.commit_staged(name_);
  env_->commit();
  d_.bus->resume(name_);
  auto held_for = std::chrono::steady_clock::now() - paused_at_;
  const std::string new_version = opened_.library->info().version;

  // Retire the old version: nothing of it may run once its library closes.
  PluginSlot& slot = *slot_;
  slot.instance->stop();
  slot.env->retire();
  std::shared_ptr<Plugin> old_instance = std::move(slot.instance);
  std::unique_ptr<PluginEnv> old_env = std::move(slot.env);
  OpenedPlugin old_opened;
  d_.plugins->update([&] {
    old_opened = std::move(slot.opened);
    slot.instance = std::move(successor_);
    slot.env = std::move(env_);
    slot.opened = std::move(opened_);
    slot.entry = next_;
    slot.config_bytes = config_;
    ++slot.swaps;
  });
  old_instance.reset();
  old_env.reset();
  old_opened = {};
  double held_ms = std::chrono::duration<double, std::milli>(held_for).count();
  d_.metrics.gauge(name_, "swap_hold_seconds", "Time messages were held during the last hot swap")
      .set(held_ms / 1000.0);
  spdlog::info("plugin {} swapped {} → {}; messages held for {:.2f} ms", name_, old_version_,
               new_version, held_ms);
  d_.plugins->set_state(slot, v1::RUNNING);
}

Status HotSwap::roll_back(Status why) {
  Status restarted = slot_->instance->start();
  d_.bus->resume(name_);
  discard_successor();
  d_.plugins->set_state(
      *slot_, restarted.ok() ? v1::RUNNING : v1::FAILED,
      restarted.ok() ? "" : "could not resume after a failed swap: " + restarted.ToString());
  return why;
}

void HotSwap::discard_successor() {
  d_.bus->abort_staged(name_);
  d_.services.abort_staged(name_);
  if (env_) env_->retire();
  successor_.reset();
  env_.reset();
}

}  // namespace itc::host
