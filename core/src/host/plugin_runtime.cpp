#include "host/plugin_runtime.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <utility>

#include "host/config_schema.hpp"
#include "host/dependency_order.hpp"
#include "host/message_bus.hpp"
#include "host/plugin_lifecycle.hpp"

namespace itc::host {
namespace fs = std::filesystem;

PluginSlot* PluginRuntime::find(const std::string& name) {
  std::lock_guard lock(mu_);
  for (auto& s : slots_)
    if (s->name == name) return s.get();
  return nullptr;
}

std::vector<v1::PluginStatus> PluginRuntime::statuses() const {
  std::vector<v1::PluginStatus> out;
  std::lock_guard lock(mu_);
  for (const auto& s : slots_) out.push_back(status_of(*s));
  return out;
}

v1::PluginStatus PluginRuntime::status_of(const PluginSlot& s) const {
  v1::PluginStatus st;
  st.set_name(s.name);
  st.set_state(s.state);
  st.set_reason(s.reason);
  st.set_source(s.opened.source.empty()
                    ? (s.entry.package.empty() ? s.entry.library : s.entry.package)
                    : s.opened.source);
  st.set_signed_by(s.opened.signed_by);
  st.set_swaps(s.swaps);
  if (s.opened.library) {
    const auto& info = s.opened.library->info();
    st.set_version(info.version);
    st.set_layer(info.layer);
    st.set_config_type(info.config_type);
    for (const auto& p : info.provides) st.add_provides(p);
    for (const auto& r : info.requires_) st.add_requires_services(r);
  }
  return st;
}

void PluginRuntime::set_state(PluginSlot& slot, v1::LifecycleState state, std::string reason) {
  v1::Event ev;
  {
    std::lock_guard lock(mu_);
    if (!lifecycle_allows(slot.state, state)) {
      // A bug in the host: the slot keeps its state, and the log says where it was.
      spdlog::error(
          "plugin {}: BUG: lifecycle transition {} is not in the table "
          "(plugin_lifecycle.cpp); refused{}",
          slot.name, transition_name(slot.state, state),
          reason.empty() ? "" : " (reason given: " + reason + ")");
      return;
    }
    slot.state = state;
    slot.reason = std::move(reason);
    *ev.mutable_plugin() = status_of(slot);
  }
  if (state == v1::FAILED) {
    spdlog::error("plugin {}: FAILED: {}", slot.name, slot.reason);
  } else {
    spdlog::info("plugin {}: {}", slot.name, v1::LifecycleState_Name(state));
  }
  ctx_.emit(std::move(ev));
}

std::map<std::string, std::string> PluginRuntime::running_providers() const {
  std::map<std::string, std::string> out;
  std::lock_guard lock(mu_);
  for (const auto& s : slots_)
    if (s->state == v1::RUNNING && s->opened.library)
      for (const auto& p : s->opened.library->info().provides) out[p] = s->name;
  return out;
}

std::vector<std::string> PluginRuntime::running_dependents(const PluginSlot& slot) const {
  std::vector<std::string> out;
  std::lock_guard lock(mu_);
  for (const auto& s : slots_) {
    if (s.get() == &slot || s->state != v1::RUNNING) continue;
    for (const auto& n : s->needs)
      if (n == slot.name) out.push_back(s->name);
  }
  return out;
}

PluginSlot& PluginRuntime::add_slot(PluginEntry entry) {
  auto slot = std::make_unique<PluginSlot>();
  slot->name = entry.name;
  slot->entry = std::move(entry);
  PluginSlot* s = slot.get();
  {
    std::lock_guard lock(mu_);
    slots_.push_back(std::move(slot));
  }
  set_state(*s, v1::DISCOVERED);
  return *s;
}

bool PluginRuntime::open(PluginSlot& slot, Status* failure) {
  auto opened =
      open_plugin(slot.entry, ctx_.file.node.developer_mode(), ctx_.trusted_keys, ctx_.run_dir);
  if (!opened.ok()) {
    set_state(slot, v1::FAILED, opened.status().ToString());
    *failure = opened.status();
    return false;
  }
  update([&] { slot.opened = std::move(*opened); });
  set_state(slot, v1::LOADED);
  return true;
}

void PluginRuntime::release_library(PluginSlot& slot) {
  OpenedPlugin released;
  update([&] { released = std::exchange(slot.opened, {}); });
}  // closed here, outside the lock

Status PluginRuntime::initialise(PluginSlot& slot) {
  const std::string& file = ctx_.file.path;
  v1::ConfigReport report;
  auto config = parse_plugin_config(slot.opened.library->info(), slot.entry, file, &report);
  if (!config.ok()) {
    std::string why = report.issues_size() ? format_report(report) : config.status().ToString();
    while (!why.empty() && why.back() == '\n') why.pop_back();
    release_library(slot);
    set_state(slot, v1::FAILED, "config: " + why);
    return Status::InvalidArgument(slot.name + ": " + why);
  }
  slot.config_bytes = *config;
  auto instance = slot.opened.library->create();
  if (!instance.ok()) {
    release_library(slot);
    set_state(slot, v1::FAILED, instance.status().ToString());
    return instance.status();
  }
  auto data = (fs::path(ctx_.file.node.data_dir()) / "plugins" / slot.name).string();
  slot.env = std::make_unique<PluginEnv>(ctx_.node_services, slot.name, data, false);
  slot.instance = *instance;
  Status st = slot.instance->initialise(*slot.env, slot.config_bytes);
  if (!st.ok()) {
    std::string why = st.ToString();
    if (st.code() == Status::Code::kInvalidArgument) {
      v1::ConfigReport r;
      *r.add_issues() = locate_plugin_error(slot.entry, file, st);
      why = format_report(r);
      while (!why.empty() && why.back() == '\n') why.pop_back();
    }
    tear_down(slot);
    release_library(slot);
    set_state(slot, v1::FAILED, "initialise: " + why);
    return st.WithContext(slot.name);
  }
  set_state(slot, v1::INITIALISED);
  return Status::Ok();
}

Status PluginRuntime::start(PluginSlot& slot) {
  Status st = slot.instance->start();
  if (!st.ok()) {
    slot.instance->stop();
    tear_down(slot);
    release_library(slot);
    set_state(slot, v1::FAILED, "start: " + st.ToString());
    return st.WithContext(slot.name);
  }
  set_state(slot, v1::RUNNING);
  return Status::Ok();
}

Status PluginRuntime::bring_up(PluginSlot& slot) {
  ITC_RETURN_IF_ERROR(initialise(slot));
  return start(slot);
}

std::size_t PluginRuntime::tear_down(PluginSlot& slot) {
  // Order matters: nothing may call into the plugin's code once its library closes.
  std::size_t held = ctx_.bus.remove_owner(slot.name);
  if (held > 0) {
    ctx_.warn("plugin " + slot.name + " went away with " + std::to_string(held) +
              " undelivered messages in its queues");
  }
  ctx_.services.remove_owner(slot.name);
  if (slot.env) slot.env->retire();
  slot.instance.reset();
  slot.env.reset();
  return held;
}

Status PluginRuntime::start(const std::vector<PluginEntry>& entries) {
  Status first = Status::Ok();
  auto remember = [&](const Status& s) {
    if (first.ok() && !s.ok()) first = s;
  };
  std::vector<PluginDeps> deps;
  std::map<std::string, PluginSlot*> by_name;
  for (const auto& entry : entries) {
    PluginSlot& s = add_slot(entry);
    Status failure;
    if (!open(s, &failure)) {
      remember(failure);
      continue;
    }
    const auto& info = s.opened.library->info();
    deps.push_back({s.name, info.provides, info.requires_});
    by_name[s.name] = &s;
  }
  if (ctx_.opened) ctx_.opened();
  DependencyPlan plan = plan_dependencies(deps);
  for (auto& [name, why] : plan.failures) {
    PluginSlot* s = by_name[name];
    release_library(*s);  // closes the library
    set_state(*s, v1::FAILED, why);
    remember(Status::FailedPrecondition(name + ": " + why));
  }
  // Start order: providers first. Keep slots_ in that order for a reverse shutdown.
  {
    std::lock_guard lock(mu_);
    std::stable_sort(slots_.begin(), slots_.end(), [&](const auto& a, const auto& b) {
      auto pos = [&](const std::string& n) {
        auto it = std::find(plan.order.begin(), plan.order.end(), n);
        return it == plan.order.end() ? plan.order.size() : size_t(it - plan.order.begin());
      };
      return pos(a->name) < pos(b->name);
    });
  }
  // Two phases, like an extension system: every plugin initialises (subscribes, provides
  // its services) before any starts producing, so nothing published at start — the
  // fleet's registrations, say — misses a subscriber that comes later in the order.
  auto ready = [&](PluginSlot* s, v1::LifecycleState needed) {
    for (const auto& n : s->needs) {
      PluginSlot* p = by_name[n];
      if (!p || p->state != needed) {
        release_library(*s);
        set_state(
            *s, v1::FAILED,
            "needs " + n + ", which is " + (p ? v1::LifecycleState_Name(p->state) : "missing"));
        remember(Status::FailedPrecondition(s->name + " needs " + n));
        return false;
      }
    }
    return true;
  };
  for (const auto& name : plan.order) {
    PluginSlot* s = by_name[name];
    s->needs = plan.needs[name];
    if (ready(s, v1::INITIALISED)) remember(initialise(*s));
  }
  for (const auto& name : plan.order) {
    PluginSlot* s = by_name[name];
    if (s->state != v1::INITIALISED) continue;
    if (!ready(s, v1::RUNNING)) {
      s->instance->stop();
      tear_down(*s);
      continue;
    }
    remember(start(*s));
  }
  return first;
}

std::vector<PluginSlot*> PluginRuntime::shutdown_order() const {
  static const std::map<std::string, int> kFlowRank = {
      {"connection", 0}, {"conversion", 1}, {"cognition", 2}, {"configuration", 3}, {"cyber", 4}};
  std::vector<PluginSlot*> remaining, order;
  {
    std::lock_guard lock(mu_);
    for (const auto& s : slots_) remaining.push_back(s.get());
  }
  auto rank = [&](const PluginSlot* s) {
    if (!s->opened.library) return 5;
    auto it = kFlowRank.find(s->opened.library->info().layer);
    return it == kFlowRank.end() ? 5 : it->second;
  };
  while (!remaining.empty()) {
    PluginSlot* pick = nullptr;
    for (PluginSlot* s : remaining) {
      bool needed = false;  // still needed by a plugin not yet drained
      for (PluginSlot* o : remaining)
        for (const auto& n : o->needs) needed = needed || (o != s && n == s->name);
      if (!needed && (!pick || rank(s) < rank(pick))) pick = s;
    }
    if (!pick) pick = remaining.front();  // cannot happen: dependencies are acyclic
    order.push_back(pick);
    std::erase(remaining, pick);
  }
  return order;
}

std::vector<std::string> PluginRuntime::stop() {
  // Drain along the data flow — sources first — waiting for each plugin's queues to
  // empty before draining it, so a clean stop commits everything already read from the
  // devices. A plugin is drained only after every plugin that needs its services.
  // Whatever a plugin could not finish, and every message left in a queue, is lost:
  // each is named in what this returns.
  std::vector<std::string> lost;
  const std::vector<PluginSlot*> order = shutdown_order();
  for (PluginSlot* s : order) {
    if (!s->instance) continue;
    if (!ctx_.bus.wait_drained(s->name, std::chrono::seconds(10))) {
      ctx_.warn("plugin " + s->name + " did not empty its queues within 10 s; stopping anyway");
    }
    set_state(*s, v1::DRAINING);
    Status st = s->instance->drain();
    if (!st.ok()) {
      ctx_.warn("plugin " + s->name + " failed to drain: " + st.ToString());
      lost.push_back("plugin " + s->name + " failed to drain: " + st.message());
    }
  }
  for (PluginSlot* s : order) {
    if (s->instance) {
      s->instance->stop();
      set_state(*s, v1::STOPPED);
      if (std::size_t held = tear_down(*s); held > 0) {
        lost.push_back(std::to_string(held) + " messages still queued for plugin " + s->name);
      }
    }
    if (s->opened.library) {
      release_library(*s);
      set_state(*s, v1::UNLOADED);
    }
  }
  return lost;
}

Status PluginRuntime::load(PluginEntry entry) {
  if (PluginSlot* existing = find(entry.name)) {
    if (existing->state != v1::UNLOADED && existing->state != v1::FAILED) {
      return Status::AlreadyExists("plugin " + entry.name + " is already " +
                                   v1::LifecycleState_Name(existing->state));
    }
    std::lock_guard lock(mu_);
    std::erase_if(slots_, [&](const auto& s) { return s.get() == existing; });
  }
  PluginSlot& s = add_slot(std::move(entry));
  Status failure;
  if (!open(s, &failure)) return failure;
  if (ctx_.opened) ctx_.opened();
  const auto& info = s.opened.library->info();
  auto plan = plan_dependencies({{s.name, info.provides, info.requires_}}, running_providers());
  if (auto f = plan.failures.find(s.name); f != plan.failures.end()) {
    release_library(s);
    set_state(s, v1::FAILED, f->second);
    return Status::FailedPrecondition(s.name + ": " + f->second);
  }
  s.needs = plan.needs[s.name];
  return bring_up(s);
}

Status PluginRuntime::unload(const std::string& name) {
  PluginSlot* slot = find(name);
  if (!slot) return Status::NotFound("no plugin named '" + name + "' on this node");
  auto dependents = running_dependents(*slot);
  if (!dependents.empty()) {
    std::string list;
    for (const auto& n : dependents) list += (list.empty() ? "" : ", ") + n;
    return Status::FailedPrecondition("cannot unload " + name + ": running plugins need it (" +
                                      list + "); unload them first");
  }
  if (slot->instance) {
    set_state(*slot, v1::DRAINING);
    Status st = slot->instance->drain();
    if (!st.ok()) ctx_.warn("plugin " + name + " failed to drain: " + st.ToString());
    slot->instance->stop();
    set_state(*slot, v1::STOPPED);
    tear_down(*slot);
  }
  release_library(*slot);
  set_state(*slot, v1::UNLOADED);
  return Status::Ok();
}

}  // namespace itc::host
