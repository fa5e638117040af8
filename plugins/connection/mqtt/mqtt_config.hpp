// MqttConfig: the mqtt plugin's config (mqtt.proto, itc.mqtt.Config) with defaults applied
// and every field checked. Errors are InvalidArgument whose message starts with the field,
// e.g. "devices[2].sparkplug.group: required".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itc/services/device_profiles.hpp"
#include "itc/status.hpp"
#include "mqtt.pb.h"

namespace itc::mqtt {

class Config;  // mqtt.proto

struct SparkplugAddressConfig {
  std::string group;
  std::string edge_node;
  std::string device;  // "" = the edge node's own metrics
};

struct DeviceConfig {
  std::string id;
  std::string profile;
  std::string address;  // plain MQTT: fills "{device}"; defaults to id
  std::optional<SparkplugAddressConfig> sparkplug;
  int qos = 1;
};

struct TlsConfig {
  std::string ca_file;  // empty: no TLS
  std::string cert_file;
  std::string key_file;
};

struct MqttConfig {
  std::string host = "127.0.0.1";
  int port = 1883;
  bool mqtt5 = false;
  std::string client_id;  // empty: "itc-" + node name
  bool persistent_session = false;
  std::uint32_t session_expiry_s = 3600;
  int keepalive_s = 30;
  std::string username;
  std::string password_file;
  TlsConfig tls;
  std::uint32_t reconnect_min_ms = 500;
  std::uint32_t reconnect_max_ms = 30000;
  std::vector<DeviceConfig> devices;
  std::string host_id;  // empty: the node's name
  bool publish_state = true;
  std::uint32_t rebirth_interval_ms = 5000;
  std::string owner_public_key;  // as written (hex or PEM path); DeviceGateway parses it
  std::string gateway_key_file;  // Set: commands are verified on the devices' behalf
                                 // (itc/light/device_verifiers.hpp).
  std::string genesis_file;
  std::uint32_t max_header_age_s = 300;
};

// Applies the defaults to `msg` and checks every field. On a bad value returns
// InvalidArgument whose message starts with the field's name.
Result<MqttConfig> parse_mqtt_config(const Config& msg);

// Checks each device against the node's device profiles: the profile exists, and it
// says where each metric is read in the device's protocol (MQTT topic + JSON path, or a
// Sparkplug metric name), with valid JSON paths.
Status check_device_profiles(const MqttConfig& config, const DeviceProfiles& profiles);

// The metric's sections of a device profile that this plugin reads (mqtt.proto): an
// empty message (no topic, no metric name) if the profile gives none.
MqttJsonSource json_source(const v1::MetricSpec& metric);
SparkplugSource sparkplug_source(const v1::MetricSpec& metric);

// The profile's MQTT topic for a device: "{device}" replaced by `address`.
std::string device_topic(std::string_view topic_template, std::string_view address);

}  // namespace itc::mqtt
