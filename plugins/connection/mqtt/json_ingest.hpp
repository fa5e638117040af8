// JsonIngest: plain MQTT JSON devices. For each device it subscribes to every distinct
// topic of its profile's `mqtt` sources ("{device}" = the device's address); a message on
// a topic becomes one frame with every metric whose json_path is on that topic. A path
// missing from the document, invalid JSON or a value that is not a number is an error of
// that device naming the topic and path; the metrics that were present still go through.
// Thread safety: immutable after build(); handle() is called from the network thread.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "json_document.hpp"
#include "mqtt_device.hpp"

namespace itc::mqtt {

struct JsonSource {
  const v1::MetricSpec* metric = nullptr;
  JsonPath path;
};

struct JsonTopic {
  std::size_t device = 0;  // index into the plugin's devices
  std::string topic;
  int qos = 1;
  std::vector<JsonSource> sources;
};

// What one payload yields: the values read and one message per problem.
struct JsonReading {
  std::vector<v1::RawValue> values;
  std::vector<std::string> errors;
};
JsonReading read_json_payload(const JsonTopic& topic, std::string_view payload);

class JsonIngest {
 public:
  // Devices with `sparkplug` set are skipped. Paths were checked by check_device_profiles.
  static Result<JsonIngest> build(const std::vector<MqttDevice>& devices);

  const std::vector<JsonTopic>& topics() const { return topics_; }
  // True if `topic` is one of ours (then it was handled).
  bool handle(std::string_view topic, std::string_view payload, std::vector<MqttDevice>& devices,
              DeviceSink& sink) const;

  // The topic a command for `metric` of `device` is published on: "<metric topic>/set".
  static std::string command_topic(const MqttDevice& device, const v1::MetricSpec& metric);
  // {"<raw_metric>": value}, the value written as the metric's type (integer, true/false,
  // or a number); InvalidArgument if it is not one (e.g. 1.5 for an INT metric).
  static Result<std::string> command_payload(const v1::MetricSpec& metric, double raw);

 private:
  std::vector<JsonTopic> topics_;
  std::unordered_multimap<std::string, std::size_t> by_topic_;  // -> topics_ index
};

}  // namespace itc::mqtt
