// The node's device directory, device profiles, the once-a-second NodeStats event and
// the config views the admin API serves.
#include <yaml-cpp/yaml.h>

#include <chrono>

#include "host/node_impl.hpp"

namespace itc::host {

namespace {

constexpr auto kStatsPeriod = std::chrono::seconds(1);

std::int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Node::Impl::emit_device(std::optional<v1::DeviceStatus> changed) {
  if (!changed) return;
  v1::Event ev;
  *ev.mutable_device() = std::move(*changed);
  emit(std::move(ev));
}

void Node::Impl::note_reading(const v1::Reading& reading) {
  emit_device(devices->on_reading(reading, wall_us()));
}

void Node::Impl::note_command_result(const v1::CommandResult& result) {
  emit_device(devices->on_command_result(result, wall_us()));
}

// Readings reach the directory through the host's readings tap (note_reading).
Status Node::Impl::subscribe_device_taps() {
  auto publish = [this](std::optional<v1::DeviceStatus> changed) {
    emit_device(std::move(changed));
  };
  ITC_RETURN_IF_ERROR(bus->subscribe_as(
      "host", false, topics::kRegistrations, v1::DeviceRegistration::descriptor()->full_name(),
      [this, publish](const MessagePtr& m) {
        publish(
            devices->on_registration(static_cast<const v1::DeviceRegistration&>(*m), wall_us()));
      }));
  ITC_RETURN_IF_ERROR(bus->subscribe_as(
      "host", false, topics::kDeviceReports, v1::DeviceReport::descriptor()->full_name(),
      [this, publish](const MessagePtr& m) {
        publish(devices->on_report(static_cast<const v1::DeviceReport&>(*m), wall_us()));
      }));
  return Status::Ok();
}

v1::NodeStats Node::Impl::stats(double seconds, std::uint64_t tx, std::uint64_t readings) const {
  v1::NodeStats s;
  const bool pbft = metrics.value_of("pbft", "view").has_value();
  const char* ledger = pbft ? "pbft" : "solo";
  s.set_height(static_cast<std::uint64_t>(metrics.value_of(ledger, "height").value_or(0)));
  if (pbft) {
    s.set_view(static_cast<std::uint64_t>(metrics.value_of("pbft", "view").value_or(0)));
    s.set_primary(metrics.value_of("pbft", "is_primary").value_or(0) > 0);
    s.set_peers(
        static_cast<std::uint32_t>(metrics.value_of("pbft", "peers_connected").value_or(0)));
  }
  if (seconds > 0) {
    s.set_committed_tx_per_s(static_cast<double>(tx) / seconds);
    s.set_readings_per_s(static_cast<double>(readings) / seconds);
  }
  s.set_commit_latency_ms(metrics.value_of(ledger, "last_block_latency_seconds").value_or(0) *
                          1000.0);
  s.set_readings_waiting(
      static_cast<std::uint64_t>(metrics.value_of(ledger, "pending_readings").value_or(0)));
  s.set_sources_held_back(metrics.value_of(ledger, "backlog_full").value_or(0) > 0);
  plugins->visit([&](const PluginSlot& slot) {
    if (slot.state == v1::RUNNING) s.set_plugins_running(s.plugins_running() + 1);
    if (slot.state == v1::FAILED) s.set_plugins_failed(s.plugins_failed() + 1);
  });
  const DeviceDirectory::Counts c = devices->counts();
  s.set_devices_online(c.online);
  s.set_devices_stale(c.stale);
  s.set_devices_offline(c.offline);
  s.set_devices_fault(c.fault);
  return s;
}

void Node::Impl::start_stats_timer() {
  if (host_timers == 0) host_timers = scheduler->new_owner();
  struct Last {
    std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now();
    std::uint64_t tx = 0, readings = 0;
  };
  auto last = std::make_shared<Last>();
  scheduler->schedule(host_timers, kStatsPeriod, kStatsPeriod, [this, last] {
    for (v1::DeviceStatus& s : devices->sweep(wall_us())) emit_device(std::move(s));
    const auto now = std::chrono::steady_clock::now();
    const std::uint64_t tx = ledger.committed_tx(), readings = ledger.committed_readings();
    v1::Event ev;
    *ev.mutable_stats() = stats(std::chrono::duration<double>(now - last->at).count(),
                                tx - last->tx, readings - last->readings);
    last->at = now;
    last->tx = tx;
    last->readings = readings;
    emit(std::move(ev));
  });
}

v1::DeviceList Node::devices(const DeviceFilter& filter) const {
  return impl_->devices->list(filter);
}

std::optional<v1::DeviceStatus> Node::device(const std::string& device_id) const {
  return impl_->devices->get(device_id);
}

void Node::Impl::bind_profiles() {
  ProfileSections sections;
  std::vector<std::string> problems;
  if (plugins) {
    plugins->visit([&](const PluginSlot& slot) {
      if (!slot.opened.library) return;
      Status st = sections.add(slot.name, slot.opened.library->info().config_descriptor);
      if (!st.ok()) problems.push_back(st.message());
    });
  }
  v1::ConfigReport report;
  profiles.replace(bind_profile_sections(file.profiles, sections, &report));
  if (report.issues_size() > 0) problems.push_back(format_report(report));
  for (const std::string& p : problems) warn("device profiles: " + p);
}

v1::DeviceProfileList Node::device_profiles() const {
  v1::DeviceProfileList out;
  for (const auto& p : impl_->profiles.all()) *out.add_profiles() = *p;
  return out;
}

v1::ConfigText Node::config_text() const {
  v1::ConfigText out;
  std::lock_guard lock(impl_->mu);
  out.set_file(impl_->file.path);
  out.set_yaml(impl_->config_text);
  return out;
}

Result<v1::PluginConfig> Node::plugin_config(const std::string& name) const {
  std::optional<v1::PluginConfig> out;
  impl_->plugins->visit([&](const PluginSlot& slot) {
    if (slot.name != name || out) return;
    out.emplace();
    out->set_name(name);
    if (slot.opened.library) {
      const auto& info = slot.opened.library->info();
      out->set_type_name(info.config_type);
      out->set_descriptor_set(info.config_descriptor);
    }
    if (slot.entry.config && !slot.entry.config.IsNull()) {
      YAML::Emitter yaml;
      yaml << slot.entry.config;
      out->set_yaml(yaml.c_str());
    }
  });
  if (!out) return Status::NotFound("no plugin named \"" + name + "\" on this node");
  return *out;
}

}  // namespace itc::host
