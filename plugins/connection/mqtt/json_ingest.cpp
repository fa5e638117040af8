#include "json_ingest.hpp"

#include <charconv>
#include <cmath>

#include "itc/services/device_profiles.hpp"

namespace itc::mqtt {

JsonReading read_json_payload(const JsonTopic& topic, std::string_view payload) {
  JsonReading out;
  auto doc = JsonDocument::parse(payload);
  if (!doc.ok()) {
    out.errors.push_back(topic.topic + ": " + doc.status().message());
    return out;
  }
  for (const JsonSource& source : topic.sources) {
    auto value = doc->find(source.path);
    if (!value.ok()) {
      out.errors.push_back(topic.topic + ": json_path " + source.path.text() + ": " +
                           value.status().message());
      continue;
    }
    v1::RawValue raw;
    if (Status s = to_raw_value(*source.metric, *value, &raw); !s.ok()) {
      out.errors.push_back(topic.topic + ": json_path " + source.path.text() + ": " + s.message());
      continue;
    }
    out.values.push_back(std::move(raw));
  }
  return out;
}

Result<JsonIngest> JsonIngest::build(const std::vector<MqttDevice>& devices) {
  JsonIngest ingest;
  for (std::size_t d = 0; d < devices.size(); ++d) {
    const MqttDevice& device = devices[d];
    if (device.config.sparkplug) continue;
    std::unordered_map<std::string, std::size_t> mine;  // topic -> topics_ index
    for (const v1::MetricSpec& metric : device.profile->metrics()) {
      const MqttJsonSource json = json_source(metric);
      if (json.topic().empty()) continue;
      auto path = JsonPath::parse(json.json_path());
      if (!path.ok()) {
        return Status::InvalidArgument(device.config.id + ": " + metric.name() +
                                       ": json_path: " + path.status().message());
      }
      const std::string topic = device_topic(json.topic(), device.config.address);
      auto [it, fresh] = mine.emplace(topic, ingest.topics_.size());
      if (fresh) {
        ingest.topics_.push_back({d, topic, device.config.qos, {}});
        ingest.by_topic_.emplace(topic, it->second);
      }
      ingest.topics_[it->second].sources.push_back({&metric, std::move(path).value()});
    }
  }
  return ingest;
}

bool JsonIngest::handle(std::string_view topic, std::string_view payload,
                        std::vector<MqttDevice>& devices, DeviceSink& sink) const {
  auto [begin, end] = by_topic_.equal_range(std::string(topic));
  if (begin == end) return false;
  for (auto it = begin; it != end; ++it) {
    const JsonTopic& t = topics_[it->second];
    MqttDevice& device = devices[t.device];
    sink.up(device);  // it is talking, whatever it says
    JsonReading reading = read_json_payload(t, payload);
    for (const std::string& e : reading.errors) sink.error(device, "json", e);
    if (reading.values.empty()) continue;
    v1::RawFrame frame;
    frame.set_device_id(device.config.id);
    frame.set_profile(device.config.profile);
    for (v1::RawValue& v : reading.values) *frame.add_values() = std::move(v);
    sink.frame(device, std::move(frame));
  }
  return true;
}

std::string JsonIngest::command_topic(const MqttDevice& device, const v1::MetricSpec& metric) {
  return device_topic(json_source(metric).topic(), device.config.address) + "/set";
}

Result<std::string> JsonIngest::command_payload(const v1::MetricSpec& metric, double raw) {
  if (!std::isfinite(raw)) return Status::InvalidArgument("the value is not finite");
  std::string value;
  if (metric.type() == v1::VALUE_TYPE_BOOL) {
    if (raw != 0 && raw != 1) {
      return Status::InvalidArgument(describe(raw) + " is not a boolean (0 or 1)");
    }
    value = raw == 1 ? "true" : "false";
  } else if (metric.type() == v1::VALUE_TYPE_INT) {
    if (raw != std::trunc(raw) || std::fabs(raw) > 9.007199254740992e15) {
      return Status::InvalidArgument(describe(raw) + " is not a whole number");
    }
    value = std::to_string(static_cast<std::int64_t>(raw));
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, raw);
    value.assign(buf, end);
  }
  // raw_metric names come from the profile: escape what JSON needs escaped.
  std::string key;
  for (char c : raw_metric_of(metric)) {
    if (c == '"' || c == '\\') key.push_back('\\');
    key.push_back(c);
  }
  return "{\"" + key + "\":" + value + "}";
}

}  // namespace itc::mqtt
