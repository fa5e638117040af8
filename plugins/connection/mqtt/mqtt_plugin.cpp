#include "mqtt_plugin.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <exception>

#include "itc/abi.hpp"
#include "itc/file_io.hpp"
#include "mqtt.pb.h"

namespace itc::mqtt {
namespace {

constexpr std::size_t kMaxHeldCommands = 1000;

}  // namespace

Status MqttPlugin::check_config(const Config& config) const {
  auto parsed = parse_mqtt_config(config);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

Status MqttPlugin::configure(HostEnv& env, const Config& config) {
  env_ = &env;
  auto parsed = parse_mqtt_config(config);
  if (!parsed.ok()) return parsed.status();
  cfg_ = std::move(parsed).value();
  client_id_ = cfg_.client_id.empty() ? "itc-" + env.node_name() : cfg_.client_id;
  host_id_ = cfg_.host_id.empty() ? env.node_name() : cfg_.host_id;

  auto* profiles = env.services().find<DeviceProfiles>();
  if (profiles == nullptr) {
    return Status::FailedPrecondition("the host provides no device profiles service");
  }
  ITC_RETURN_IF_ERROR(check_device_profiles(cfg_, *profiles));
  ITC_RETURN_IF_ERROR(build_devices(*profiles));

  auto gateway = DeviceGateway::open(env, "mqtt", cfg_.gateway_key_file, cfg_.owner_public_key);
  if (!gateway.ok()) return gateway.status();
  gateway_ = std::move(gateway).value();
  if (!cfg_.genesis_file.empty()) {
    auto verifiers = light::DeviceVerifiers::from_genesis_file(
        cfg_.genesis_file, std::chrono::seconds(cfg_.max_header_age_s));
    if (!verifiers.ok()) return verifiers.status().WithContext("genesis_file");
    verifiers_ = std::move(verifiers).value();
  }

  auto& m = env.metrics();
  messages_in_ = &m.counter("messages_in", "MQTT messages received on the plugin's topics");
  bytes_in_ = &m.counter("bytes_in", "Payload bytes of the MQTT messages received");
  messages_ignored_ =
      &m.counter("messages_ignored", "Messages for no configured device (other devices, STATE)");
  frames_out_ = &m.counter("frames_out", "Signed frames published on device.frames");
  rebirths_requested_ =
      &m.counter("rebirths_requested", "Sparkplug Rebirth requests (NCMD) sent to edge nodes");
  commands_sent_ = &m.counter("commands_sent", "Commands written to devices over MQTT");
  commands_refused_ = &m.counter("commands_refused", "Commands for our devices not sent");
  connects_ = &m.counter("connects", "Connections the broker accepted");
  connection_losses_ =
      &m.counter("connection_losses", "Broker connections lost or attempts that failed");
  broker_connected_ = &m.gauge("broker_connected", "1 while connected to the broker");
  for (std::string_view kind : kErrorKinds) error_counter(kind);  // each series from 0

  auto password = read_password();
  if (!password.ok()) return password.status();
  LinkCallbacks callbacks;
  callbacks.will = [this] { return state_will(); };
  callbacks.connected = [this](bool session_present) { on_connected(session_present); };
  callbacks.lost = [this](const std::string& reason, bool was_connected) {
    on_lost(reason, was_connected);
  };
  callbacks.message = [this](std::string_view topic, std::string_view payload) {
    on_message(topic, payload);
  };
  auto link = MqttLink::create(cfg_, client_id_, std::move(password).value(), std::move(callbacks));
  if (!link.ok()) return link.status();
  link_ = std::move(link).value();

  return env.bus().subscribe<v1::Command>(topics::kCommands,
                                          [this](const v1::Command& cmd) { on_command(cmd); });
}

Status MqttPlugin::build_devices(const DeviceProfiles& profiles) {
  devices_.reserve(cfg_.devices.size());
  for (const DeviceConfig& dc : cfg_.devices) {
    MqttDevice d;
    d.config = dc;
    d.profile = profiles.find(dc.profile);  // checked by check_device_profiles
    for (const v1::MetricSpec& metric : d.profile->metrics()) {
      if (const std::string name = sparkplug_source(metric).metric(); !name.empty()) {
        d.by_sparkplug_metric.emplace(name, &metric);
      }
    }
    index_.emplace(dc.id, devices_.size());
    devices_.push_back(std::move(d));
  }
  auto json = JsonIngest::build(devices_);
  if (!json.ok()) return json.status();
  json_ = std::move(json).value();
  sparkplug_ = std::make_unique<SparkplugHost>(devices_, cfg_.rebirth_interval_ms);
  return Status::Ok();
}

Result<std::string> MqttPlugin::read_password() const {
  if (cfg_.password_file.empty()) return std::string();
  struct stat st {};
  if (::stat(cfg_.password_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    env_->log().warn("mqtt: password_file " + cfg_.password_file +
                     " is readable by group or others; make it mode 0600");
  }
  auto content = read_file(cfg_.password_file);
  if (!content.ok()) return content.status().WithContext("password_file");
  std::string line = content->substr(0, content->find_first_of("\r\n"));
  std::fill(content->begin(), content->end(), '\0');
  return line;
}

Status MqttPlugin::start() noexcept {
  return guard("start", [&]() -> Status {
    if (env_ == nullptr) return Status::FailedPrecondition("start before initialise");
    // Every start (also after a hot swap, whose config may list new devices); a
    // registration repeated with the same keys changes nothing.
    for (const MqttDevice& d : devices_) {
      ITC_RETURN_IF_ERROR(gateway_->register_device(d.config.id, d.config.profile));
    }
    running_ = true;
    link_->start();
    env_->log().info("mqtt: " + std::to_string(devices_.size()) + " devices via " +
                     link_->broker() + " as " + client_id_ +
                     (cfg_.mqtt5 ? " (MQTT 5)" : " (MQTT 3.1.1)"));
    return Status::Ok();
  });
}

Status MqttPlugin::drain() noexcept {
  return guard("drain", [&]() -> Status {
    if (!running_.exchange(false)) return Status::Ok();
    if (cfg_.publish_state) {
      // Sparkplug 3.0: a host application going away on purpose says so itself.
      link_->post([this] {
        if (link_->connected()) {
          (void)link_->publish(std::string(kSparkplugNamespace) + "/STATE/" + host_id_,
                               state_payload(false), 1, true);
        }
      });
    }
    link_->stop();  // runs what was posted; after this nothing more is published
    broker_connected_->set(0);
    return gateway_->flush();  // the frames still queued for the next signed batch
  });
}

Status MqttPlugin::save_state(SessionState* state) {
  sparkplug_->export_to(state);
  return Status::Ok();
}

Status MqttPlugin::restore_state(SessionState state) {
  sparkplug_->import_from(state);
  return Status::Ok();
}

void MqttPlugin::stop() noexcept {
  (void)drain();
  link_.reset();
}

std::int64_t MqttPlugin::steady_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(env_->clock().steady_now()).count();
}

std::uint64_t MqttPlugin::unix_ms() const {
  return static_cast<std::uint64_t>(env_->clock().unix_micros() / 1000);
}

std::string MqttPlugin::state_payload(bool online) const {
  return std::string("{\"online\":") + (online ? "true" : "false") +
         ",\"timestamp\":" + std::to_string(state_timestamp_ms_.load()) + "}";
}

std::optional<WillMessage> MqttPlugin::state_will() {
  if (!cfg_.publish_state) return std::nullopt;
  // One timestamp per connection, shared by the will and the online STATE (spec 3.0).
  state_timestamp_ms_ = static_cast<std::int64_t>(unix_ms());
  return WillMessage{std::string(kSparkplugNamespace) + "/STATE/" + host_id_, state_payload(false),
                     1, true};
}

void MqttPlugin::on_connected(bool session_present) {
  connects_->add();
  broker_connected_->set(1);
  env_->log().info("mqtt: connected to " + link_->broker() +
                   (session_present ? " (session resumed)" : ""));
  for (const JsonTopic& t : json_->topics()) {
    if (Status s = link_->subscribe(t.topic, t.qos); !s.ok())
      env_->log().error("mqtt: " + s.ToString());
  }
  for (const auto& [filter, qos] : sparkplug_->subscriptions()) {
    if (Status s = link_->subscribe(filter, qos); !s.ok())
      env_->log().error("mqtt: " + s.ToString());
  }
  if (cfg_.publish_state) {
    (void)link_->publish(std::string(kSparkplugNamespace) + "/STATE/" + host_id_,
                         state_payload(true), 1, true);
  }
  std::deque<v1::Command> held;
  {
    std::lock_guard lock(held_mu_);
    held.swap(held_);
  }
  for (const v1::Command& cmd : held) handle_command(cmd);
}

void MqttPlugin::on_lost(const std::string& reason, bool was_connected) {
  connection_losses_->add();
  broker_connected_->set(0);
  if (was_connected) env_->log().warn("mqtt: " + reason);
  for (MqttDevice& d : devices_) down(d, "broker: " + reason);
}

void MqttPlugin::on_message(std::string_view topic, std::string_view payload) {
  try {
    messages_in_->add();
    bytes_in_->add(payload.size());
    if (topic.rfind(kSparkplugNamespace, 0) == 0) {
      if (auto rebirth = sparkplug_->handle(topic, payload, steady_ms(), unix_ms(), *this)) {
        rebirths_requested_->add();
        if (Status s = link_->publish(rebirth->topic, rebirth->payload, 0, false); !s.ok()) {
          env_->log().warn("mqtt: Rebirth request not sent: " + s.ToString());
        }
      }
      return;
    }
    if (!json_->handle(topic, payload, devices_, *this)) messages_ignored_->add();
  } catch (const std::exception& e) {
    env_->log().error("mqtt: message on " + std::string(topic) + " not handled: " + e.what());
  }
}

void MqttPlugin::frame(MqttDevice& device, v1::RawFrame frame) {
  up(device);
  if (Status s = gateway_->publish_frame(std::move(frame)); !s.ok()) {
    error(device, "publish", "frame not published: " + s.ToString());
    return;
  }
  frames_out_->add();
}

void MqttPlugin::up(MqttDevice& device) {
  if (device.link == MqttDevice::Link::kUp) return;
  device.link = MqttDevice::Link::kUp;
  gateway_->report_up(device.config.id, device.config.profile);
}

void MqttPlugin::down(MqttDevice& device, const std::string& reason) {
  if (device.link == MqttDevice::Link::kDown) return;
  device.link = MqttDevice::Link::kDown;
  gateway_->report_down(device.config.id, reason);
}

Counter& MqttPlugin::error_counter(std::string_view kind) {
  return env_->metrics().counter("errors_" + std::string(kind),
                                 "Bad inputs of this kind (see README.md)");
}

void MqttPlugin::error(MqttDevice& device, std::string_view kind, const std::string& reason) {
  error_counter(kind).add();
  gateway_->report_error(device.config.id, reason);
}

void MqttPlugin::on_command(const v1::Command& cmd) {
  try {
    if (index_.find(cmd.device_id()) == index_.end()) return;  // not one of ours
    if (running_ && link_->connected()) {
      link_->post([this, cmd] { handle_command(cmd); });
      return;
    }
    {
      std::lock_guard lock(held_mu_);
      if (held_.size() < kMaxHeldCommands) {
        held_.push_back(cmd);  // sent once the broker connection is up
        return;
      }
    }
    answer(cmd, Status::Unavailable("the broker connection is down and " +
                                    std::to_string(kMaxHeldCommands) +
                                    " commands are already waiting for it"));
  } catch (const std::exception& e) {
    env_->log().error(std::string("mqtt: command handling failed: ") + e.what());
  }
}

Result<std::string> MqttPlugin::send_command(const MqttDevice& device, const v1::Command& cmd) {
  if (!link_->connected()) return Status::Unavailable("the broker connection is down");
  const v1::DeviceProfile& profile = *device.profile;
  const v1::ControlSpec* control = find_control(profile, cmd.action());
  if (control == nullptr) {
    return Status::InvalidArgument("profile " + profile.name() + " has no control for " +
                                   v1::Action_Name(cmd.action()));
  }
  const v1::MetricSpec* metric = find_metric(profile, control->metric());
  if (metric == nullptr) {
    return Status::InvalidArgument("profile " + profile.name() + ": control metric " +
                                   control->metric() + " is not a metric of the profile");
  }
  const double value = control->has_value() ? control->value() : cmd.dim_level();
  const double raw = raw_value_for(*metric, value);
  if (device.config.sparkplug) {
    auto msg = sparkplug_->command(device, *metric, raw, unix_ms());
    if (!msg.ok()) return msg.status();
    ITC_RETURN_IF_ERROR(link_->publish(msg->topic, msg->payload, 0, false));
    return "sent to " + msg->topic;
  }
  if (json_source(*metric).topic().empty()) {
    return Status::InvalidArgument("profile " + profile.name() + ": metric " + metric->name() +
                                   " has no mqtt topic to write to");
  }
  auto payload = JsonIngest::command_payload(*metric, raw);
  if (!payload.ok()) return payload.status();
  const std::string topic = JsonIngest::command_topic(device, *metric);
  ITC_RETURN_IF_ERROR(link_->publish(topic, *payload, 1, false));
  return "sent to " + topic;
}

void MqttPlugin::handle_command(const v1::Command& cmd) {
  auto it = index_.find(cmd.device_id());
  if (it == index_.end()) return;
  if (verifiers_) {
    if (Status s = verifiers_->verify(cmd, env_->clock().unix_micros()); !s.ok()) {
      answer(cmd, s);
      return;
    }
  }
  answer(cmd, send_command(devices_[it->second], cmd));
}

void MqttPlugin::answer(const v1::Command& cmd, const Result<std::string>& sent) {
  v1::CommandResult result;
  result.set_device_id(cmd.device_id());
  result.set_nonce(cmd.nonce());
  result.set_accepted(sent.ok());
  if (sent.ok()) {
    commands_sent_->add();
    env_->log().info("mqtt: command nonce " + std::to_string(cmd.nonce()) + " for " +
                     cmd.device_id() + " " + *sent);
    result.set_reason(*sent);
  } else {
    commands_refused_->add();
    result.set_reason(sent.status().message());
    env_->log().warn("mqtt: command nonce " + std::to_string(cmd.nonce()) + " for " +
                     cmd.device_id() + " not sent: " + sent.status().message());
  }
  Status s = env_->bus().publish_value(topics::kCommandResults, std::move(result));
  if (!s.ok()) env_->log().error("mqtt: cannot publish a command result: " + s.ToString());
}

}  // namespace itc::mqtt

ITC_PLUGIN(itc::mqtt::MqttPlugin, "mqtt", "1.0.0", "connection", "itc.mqtt.Config", "", "")
