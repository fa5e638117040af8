// MqttDevice: one configured device with its profile, and DeviceSink: what the protocol
// readers (JsonIngest, SparkplugHost) hand to the plugin for a device.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "itc/v1/device.pb.h"
#include "itc/v1/profile.pb.h"
#include "mqtt_config.hpp"

namespace itc::mqtt {

struct MqttDevice {
  DeviceConfig config;
  std::shared_ptr<const v1::DeviceProfile> profile;  // keeps the MetricSpecs below alive
  // Sparkplug metric name -> the profile metric read from it.
  std::unordered_map<std::string, const v1::MetricSpec*> by_sparkplug_metric;
  // The last link state reported to the host (network thread only).
  enum class Link { kUnknown, kUp, kDown } link = Link::kUnknown;
};

// Every `kind` a DeviceSink::error is given (README.md, Metrics): JSON topics, Sparkplug
// sessions and values, and frames the bus refused.
inline constexpr std::string_view kErrorKinds[] = {"json",        "value",         "decode",
                                                   "seq_gap",     "unknown_alias", "before_birth",
                                                   "stale_death", "malformed",     "publish"};

class DeviceSink {
 public:
  virtual ~DeviceSink() = default;
  // A frame with the values read (device_id, profile, values, sampled_at_us set).
  virtual void frame(MqttDevice& device, v1::RawFrame frame) = 0;
  virtual void up(MqttDevice& device) = 0;
  virtual void down(MqttDevice& device, const std::string& reason) = 0;
  // One bad input; `kind` names the error counter (errors_<kind>).
  virtual void error(MqttDevice& device, std::string_view kind, const std::string& reason) = 0;
};

}  // namespace itc::mqtt
