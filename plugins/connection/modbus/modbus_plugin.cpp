#include "modbus_plugin.hpp"

#include <exception>

#include "command_write.hpp"
#include "itc/abi.hpp"
#include "itc/services/device_profiles.hpp"
#include "modbus.pb.h"

namespace itc::modbus {

Status ModbusPlugin::check_config(const Config& config) const {
  auto parsed = parse_modbus_config(config);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

void ModbusPlugin::create_metrics() {
  Metrics& m = env_->metrics();
  metrics_.polls = &m.counter("polls", "Device polls started");
  metrics_.requests = &m.counter("requests", "Modbus requests sent (reads, writes, retries)");
  metrics_.registers_read = &m.counter("registers_read", "Registers read successfully");
  metrics_.bits_read = &m.counter("bits_read", "Coils and discrete inputs read successfully");
  metrics_.frames_out = &m.counter("frames_out", "Signed frames published");
  metrics_.retries = &m.counter("retries", "Requests repeated after a timeout or lost link");
  metrics_.errors_timeout = &m.counter("errors_timeout", "Polls or writes without an answer");
  metrics_.errors_connection =
      &m.counter("errors_connection", "Polls or writes that could not connect or lost the link");
  metrics_.errors_protocol = &m.counter("errors_protocol", "Malformed answers");
  metrics_.errors_exception =
      &m.counter("errors_exception", "Modbus exception responses (device answered with an error)");
  metrics_.errors_nan = &m.counter("errors_nan", "Float values that were NaN or infinite");
  metrics_.commands_written = &m.counter("commands_written", "Commands written to devices");
  metrics_.commands_failed =
      &m.counter("commands_failed", "Commands whose write the device did not acknowledge");
  commands_refused_ = &m.counter("commands_refused",
                                 "Commands refused before writing (no control, read-only, range)");
  metrics_.devices_online = &m.gauge("devices_online", "Devices answering their polls");
  m.gauge("devices", "Configured Modbus devices").set(static_cast<double>(cfg_.devices.size()));
}

Status ModbusPlugin::build_devices() {
  auto* profiles = env_->services().find<DeviceProfiles>();
  if (profiles == nullptr) {
    return Status::FailedPrecondition("the host provides no device profiles service");
  }
  for (std::size_t i = 0; i < cfg_.devices.size(); ++i) {
    const DeviceSettings& s = cfg_.devices[i];
    const std::string at = "devices[" + std::to_string(i) + "]";
    auto profile = profiles->find(s.profile);
    if (profile == nullptr) {
      return Status::InvalidArgument(at + ".profile: no device profile named \"" + s.profile +
                                     "\" (list its file under device_profiles:)");
    }
    auto fields = modbus_fields(*profile);
    if (!fields.ok()) return fields.status().WithContext(at + ".profile");
    auto device = std::make_unique<PolledDevice>();
    device->settings = s;
    device->profile = std::move(profile);
    device->plan = plan_reads(std::move(fields).value(), cfg_.limits);
    by_id_.emplace(s.id, device.get());
    devices_.push_back(std::move(device));
  }
  return Status::Ok();
}

Status ModbusPlugin::configure(HostEnv& env, const Config& config) {
  env_ = &env;
  auto parsed = parse_modbus_config(config);
  if (!parsed.ok()) return parsed.status();
  cfg_ = std::move(parsed).value();
  ITC_RETURN_IF_ERROR(build_devices());
  auto gateway = DeviceGateway::open(env, "modbus", cfg_.gateway_key_file, cfg_.owner_public_key);
  if (!gateway.ok()) return gateway.status();
  gateway_ = std::move(gateway).value();
  if (!cfg_.genesis_file.empty()) {
    auto verifiers = light::DeviceVerifiers::from_genesis_file(
        cfg_.genesis_file, std::chrono::seconds(cfg_.max_header_age_s));
    if (!verifiers.ok()) return verifiers.status().WithContext("genesis_file");
    verifiers_ = std::move(verifiers).value();
  }
  create_metrics();
  return env.bus().subscribe<v1::Command>(topics::kCommands,
                                          [this](const v1::Command& cmd) { on_command(cmd); });
}

Status ModbusPlugin::start() noexcept {
  return guard("start", [&]() -> Status {
    if (env_ == nullptr) return Status::FailedPrecondition("start before initialise");
    for (const auto& d : devices_) {
      ITC_RETURN_IF_ERROR(gateway_->register_device(d->settings.id, d->settings.profile));
    }
    std::map<std::string, std::vector<PolledDevice*>> by_endpoint;
    for (const auto& d : devices_) {
      by_endpoint[d->settings.host + ":" + std::to_string(d->settings.port)].push_back(d.get());
    }
    PollerContext ctx{env_, gateway_.get(), &cfg_, &metrics_,
                      [this](v1::CommandResult r) { publish_result(std::move(r)); }};
    std::deque<v1::Command> held;
    {
      std::lock_guard lock(mu_);
      for (auto& [endpoint, devices] : by_endpoint) {
        const PolledDevice& first = *devices.front();
        auto poller = std::make_unique<EndpointPoller>(ctx, first.settings.host,
                                                       first.settings.port, devices);
        for (const PolledDevice* d : devices) poller_of_[d] = poller.get();
        pollers_.emplace(endpoint, std::move(poller));
      }
      for (auto& [endpoint, poller] : pollers_) poller->start();
      running_ = true;
      held.swap(held_);
    }
    for (const auto& cmd : held) handle_command(cmd);
    env_->log().info("modbus: polling " + std::to_string(devices_.size()) + " devices on " +
                     std::to_string(by_endpoint.size()) + " endpoints");
    return Status::Ok();
  });
}

void ModbusPlugin::on_command(const v1::Command& cmd) {
  try {
    if (by_id_.find(cmd.device_id()) == by_id_.end()) return;  // not one of ours
    {
      std::lock_guard lock(mu_);
      if (!running_) {
        held_.push_back(cmd);  // carried out when polling (re)starts
        return;
      }
    }
    handle_command(cmd);
  } catch (const std::exception& e) {
    env_->log().error(std::string("modbus: command handling failed: ") + e.what());
  }
}

void ModbusPlugin::handle_command(const v1::Command& cmd) {
  PolledDevice* device = by_id_.at(cmd.device_id());
  // Verified on the device's behalf first (with genesis_file), then planned.
  const Status verified =
      verifiers_ ? verifiers_->verify(cmd, env_->clock().unix_micros()) : Status::Ok();
  auto job = verified.ok() ? plan_write(*device, cmd) : Result<WriteJob>(verified);
  if (!job.ok()) {
    commands_refused_->add();
    v1::CommandResult r;
    r.set_device_id(cmd.device_id());
    r.set_nonce(cmd.nonce());
    r.set_accepted(false);
    r.set_reason(job.status().message());
    env_->log().warn("modbus: " + cmd.device_id() + " refused command nonce " +
                     std::to_string(cmd.nonce()) + ": " + r.reason());
    publish_result(std::move(r));
    return;
  }
  std::lock_guard lock(mu_);
  if (!running_) {
    held_.push_back(cmd);
    return;
  }
  poller_of_.at(device)->submit(std::move(job).value());
}

void ModbusPlugin::publish_result(v1::CommandResult result) {
  Status s = env_->bus().publish_value(topics::kCommandResults, std::move(result));
  if (!s.ok()) env_->log().error("modbus: cannot publish a command result: " + s.ToString());
}

Status ModbusPlugin::drain() noexcept {
  return guard("drain", [&]() -> Status {
    std::map<std::string, std::unique_ptr<EndpointPoller>> pollers;
    {
      std::lock_guard lock(mu_);
      running_ = false;
      pollers.swap(pollers_);
      poller_of_.clear();
    }
    for (auto& [endpoint, poller] : pollers) poller->stop();  // writes submitted are done
    // Commands that arrived while draining would be lost with this instance: answer them.
    std::deque<v1::Command> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (const v1::Command& cmd : held) {
      v1::CommandResult r;
      r.set_device_id(cmd.device_id());
      r.set_nonce(cmd.nonce());
      r.set_reason("not written: the modbus plugin was stopping; send the command again");
      publish_result(std::move(r));
    }
    return gateway_ ? gateway_->flush() : Status::Ok();  // frames queued for the next batch
  });
}

Status ModbusPlugin::save_state(LinkStates* state) {
  for (const auto& d : devices_) {
    DeviceLink* link = state->add_devices();
    link->set_device_id(d->settings.id);
    link->set_online(d->link == PolledDevice::Link::kUp);
    link->set_failures(d->failures);
  }
  return Status::Ok();
}

Status ModbusPlugin::restore_state(LinkStates state) {
  for (const DeviceLink& link : state.devices()) {
    auto it = by_id_.find(link.device_id());
    if (it == by_id_.end()) continue;  // no longer configured
    PolledDevice& d = *it->second;
    d.failures = link.failures();
    if (link.online()) {
      d.link = PolledDevice::Link::kUp;
      metrics_.set_online(+1);
    } else if (link.failures() >= cfg_.offline_after) {
      d.link = PolledDevice::Link::kDown;
    }
  }
  return Status::Ok();
}

void ModbusPlugin::stop() noexcept { (void)drain(); }

}  // namespace itc::modbus

ITC_PLUGIN(itc::modbus::ModbusPlugin, "modbus", "1.0.0", "connection", "itc.modbus.Config", "", "")
