// MqttPlugin: the "mqtt" connection plugin. It connects to one MQTT broker (MqttLink),
// ingests the configured devices - plain MQTT JSON (JsonIngest) and Sparkplug B
// (SparkplugHost) - into signed RawFrames through a DeviceGateway, reports each device's
// link state and errors to the host, and turns authorised Commands (topics::kCommands)
// for its devices into MQTT writes, answered on topics::kCommandResults.
// See README.md for config, topics, commands and metrics.
// Thread safety: lifecycle calls come from one host thread; MQTT messages and connection
// events arrive on the link's network thread; commands on a bus thread.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "itc/device_gateway.hpp"
#include "itc/light/device_verifiers.hpp"
#include "itc/typed_plugin.hpp"
#include "json_ingest.hpp"
#include "mqtt_config.hpp"
#include "mqtt_device.hpp"
#include "mqtt_link.hpp"
#include "sparkplug_host.hpp"

namespace itc::mqtt {

// The hot-swap state: PluginState type and version.
inline constexpr StateEnvelope kState{"itc.mqtt.SessionState", 1};

class MqttPlugin final : public TypedPlugin<Config, SessionState>, private DeviceSink {
 public:
  MqttPlugin() : TypedPlugin(kState) {}
  Status start() noexcept override;
  Status drain() noexcept override;
  void stop() noexcept override;

 private:
  Status check_config(const Config& config) const override;
  Status configure(HostEnv& env, const Config& config) override;
  Status save_state(SessionState* state) override;
  Status restore_state(SessionState state) override;
  Status build_devices(const DeviceProfiles& profiles);
  Result<std::string> read_password() const;
  // DeviceSink (network thread)
  void frame(MqttDevice& device, v1::RawFrame frame) override;
  void up(MqttDevice& device) override;
  void down(MqttDevice& device, const std::string& reason) override;
  void error(MqttDevice& device, std::string_view kind, const std::string& reason) override;
  Counter& error_counter(std::string_view kind);  // errors_<kind>
  // MqttLink callbacks (network thread)
  std::optional<WillMessage> state_will();
  void on_connected(bool session_present);
  void on_lost(const std::string& reason, bool was_connected);
  void on_message(std::string_view topic, std::string_view payload);
  // Commands: on_command on a bus thread, the rest on the network thread
  void on_command(const v1::Command& cmd);
  void handle_command(const v1::Command& cmd);
  Result<std::string> send_command(const MqttDevice& device, const v1::Command& cmd);
  // Publishes the CommandResult: accepted with where it was sent, or refused with why.
  void answer(const v1::Command& cmd, const Result<std::string>& sent);
  std::string state_payload(bool online) const;
  std::int64_t steady_ms() const;  // paces Rebirth requests
  std::uint64_t unix_ms() const;   // UTC ms since the epoch: every Sparkplug timestamp we send

  HostEnv* env_ = nullptr;
  MqttConfig cfg_;
  std::string client_id_;
  std::string host_id_;
  std::vector<MqttDevice> devices_;  // fixed after initialise()
  std::unordered_map<std::string, std::size_t> index_;
  std::unique_ptr<DeviceGateway> gateway_;
  // Set with genesis_file: a command is written only if its device's light client (run
  // here on the device's behalf) accepts its ownership proof.
  std::unique_ptr<light::DeviceVerifiers> verifiers_;
  std::optional<JsonIngest> json_;
  std::unique_ptr<SparkplugHost> sparkplug_;
  std::unique_ptr<MqttLink> link_;
  std::atomic<bool> running_{false};
  std::atomic<std::int64_t> state_timestamp_ms_{0};

  std::mutex held_mu_;
  std::deque<v1::Command> held_;  // waiting for start() or for the broker

  Counter* messages_in_ = nullptr;
  Counter* bytes_in_ = nullptr;
  Counter* messages_ignored_ = nullptr;
  Counter* frames_out_ = nullptr;
  Counter* rebirths_requested_ = nullptr;
  Counter* commands_sent_ = nullptr;
  Counter* commands_refused_ = nullptr;
  Counter* connects_ = nullptr;
  Counter* connection_losses_ = nullptr;
  Gauge* broker_connected_ = nullptr;
};

}  // namespace itc::mqtt
