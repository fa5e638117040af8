// SparkplugHost: this plugin as a Sparkplug B 3.0 host application for the configured
// Sparkplug devices. It keeps one EdgeNodeSession per configured edge node, turns birth
// and data metrics into frames (metrics the profile does not name are skipped), reports
// device lifecycle and errors through the DeviceSink, and builds Rebirth requests and
// DCMD/NCMD commands (typed by the metric's datatype from the birth).
// Thread safety: handle() runs on the network thread, command() on a bus thread; the
// sessions are guarded by a mutex.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edge_node_session.hpp"
#include "mqtt_device.hpp"

namespace itc::mqtt {

class SessionState;  // mqtt.proto

struct OutgoingMessage {
  std::string topic;
  std::string payload;
};

class SparkplugHost {
 public:
  SparkplugHost(std::vector<MqttDevice>& devices, std::int64_t rebirth_interval_ms);

  // Topic filters to subscribe to, with their QoS: two per configured edge node (N* and
  // D* messages), at the highest QoS any of its devices asks for.
  std::vector<std::pair<std::string, int>> subscriptions() const;

  // Handles a message on a spBv1.0/ topic. Returns the Rebirth request to publish, if any.
  // `steady_ms` (a monotonic clock) paces Rebirth requests; `unix_ms` (UTC milliseconds
  // since the epoch, as the spec requires of every payload timestamp) stamps the request.
  std::optional<OutgoingMessage> handle(std::string_view topic, std::string_view payload,
                                        std::int64_t steady_ms, std::uint64_t unix_ms,
                                        DeviceSink& sink);

  // A write of `raw` to `metric` of `device` (DCMD, or NCMD for the node's own metrics),
  // typed per the device's birth, stamped `unix_ms` (UTC milliseconds since the epoch).
  // FailedPrecondition if the device has not been born.
  Result<OutgoingMessage> command(const MqttDevice& device, const v1::MetricSpec& metric,
                                  double raw, std::uint64_t unix_ms) const;

  // An NCMD "Node Control/Rebirth" stamped `unix_ms` (UTC milliseconds since the epoch).
  static OutgoingMessage rebirth_request(const std::string& group, const std::string& edge_node,
                                         std::uint64_t unix_ms);

  void export_to(SessionState* out) const;
  void import_from(const SessionState& in);

 private:
  struct EdgeNode {
    std::string group, edge_node;
    EdgeNodeSession session;
    std::map<std::string, std::size_t> devices;  // Sparkplug device id ("" = node) -> index
  };
  static std::string key(std::string_view group, std::string_view edge_node);
  void apply(EdgeNode& node, SessionEvent& event, DeviceSink& sink);

  std::vector<MqttDevice>& devices_;
  mutable std::mutex mu_;
  std::map<std::string, EdgeNode> nodes_;  // key(group, edge node)
};

}  // namespace itc::mqtt
