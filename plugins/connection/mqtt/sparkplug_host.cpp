#include "sparkplug_host.hpp"

#include <algorithm>

#include "mqtt.pb.h"

namespace itc::mqtt {

SparkplugHost::SparkplugHost(std::vector<MqttDevice>& devices, std::int64_t rebirth_interval_ms)
    : devices_(devices) {
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const auto& sp = devices[i].config.sparkplug;
    if (!sp) continue;
    auto [it, fresh] = nodes_.try_emplace(key(sp->group, sp->edge_node));
    if (fresh) {
      it->second.group = sp->group;
      it->second.edge_node = sp->edge_node;
      it->second.session = EdgeNodeSession(rebirth_interval_ms);
    }
    it->second.devices[sp->device] = i;
  }
}

std::string SparkplugHost::key(std::string_view group, std::string_view edge_node) {
  return std::string(group) + "/" + std::string(edge_node);
}

std::vector<std::pair<std::string, int>> SparkplugHost::subscriptions() const {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& [k, node] : nodes_) {
    int qos = 0;
    for (const auto& [id, index] : node.devices) qos = std::max(qos, devices_[index].config.qos);
    const std::string base =
        std::string(kSparkplugNamespace) + "/" + node.group + "/+/" + node.edge_node;
    out.emplace_back(base, qos);         // NBIRTH, NDATA, NDEATH (and NCMD, ignored)
    out.emplace_back(base + "/+", qos);  // DBIRTH, DDATA, DDEATH (and DCMD, ignored)
  }
  return out;
}

OutgoingMessage SparkplugHost::rebirth_request(const std::string& group,
                                               const std::string& edge_node,
                                               std::uint64_t unix_ms) {
  SparkplugWrite w;
  w.name = std::string(kRebirthMetric);
  w.datatype = kBoolean;
  w.raw = 1;
  auto payload = encode_sparkplug_command({w}, unix_ms);
  return {sparkplug_topic({group, SparkplugVerb::kNCmd, edge_node, ""}),
          std::move(payload).value()};
}

std::optional<OutgoingMessage> SparkplugHost::handle(std::string_view topic,
                                                     std::string_view payload,
                                                     std::int64_t steady_ms, std::uint64_t unix_ms,
                                                     DeviceSink& sink) {
  auto parsed = parse_sparkplug_topic(topic);
  if (!parsed.ok()) return std::nullopt;  // our subscriptions only match valid topics
  std::lock_guard lock(mu_);
  auto it = nodes_.find(key(parsed->group, parsed->edge_node));
  if (it == nodes_.end()) return std::nullopt;
  EdgeNode& node = it->second;
  if (parsed->verb == SparkplugVerb::kNCmd || parsed->verb == SparkplugVerb::kDCmd) {
    return std::nullopt;
  }
  auto decoded = decode_sparkplug_payload(payload);
  SessionOutcome outcome;
  if (!decoded.ok()) {
    SessionEvent e;
    e.kind = SessionEvent::Kind::kError;
    e.device = parsed->device;
    e.error_kind = "decode";
    e.reason = std::string(topic) + ": " + decoded.status().message();
    outcome.events.push_back(std::move(e));
  } else {
    outcome = node.session.on_message(parsed->verb, parsed->device, *decoded, steady_ms);
  }
  for (SessionEvent& e : outcome.events) apply(node, e, sink);
  if (!outcome.rebirth) return std::nullopt;
  return rebirth_request(node.group, node.edge_node, unix_ms);
}

void SparkplugHost::apply(EdgeNode& node, SessionEvent& event, DeviceSink& sink) {
  auto mine = node.devices.find(event.device);
  const bool configured = mine != node.devices.end();
  switch (event.kind) {
    case SessionEvent::Kind::kUp:
      if (configured) sink.up(devices_[mine->second]);
      return;
    case SessionEvent::Kind::kDown:
      if (event.device.empty()) {  // the edge node died: all its devices with it
        for (const auto& [id, index] : node.devices) sink.down(devices_[index], event.reason);
      } else if (configured) {
        sink.down(devices_[mine->second], event.reason);
      }
      return;
    case SessionEvent::Kind::kError:
      if (configured) {
        sink.error(devices_[mine->second], event.error_kind, event.reason);
      } else if (event.device.empty()) {  // about the node: every device of it is affected
        for (const auto& [id, index] : node.devices) {
          sink.error(devices_[index], event.error_kind, event.reason);
        }
      }
      return;
    case SessionEvent::Kind::kData:
      break;
  }
  if (!configured) return;
  MqttDevice& device = devices_[mine->second];
  v1::RawFrame frame;
  frame.set_device_id(device.config.id);
  frame.set_profile(device.config.profile);
  if (event.timestamp_ms > 0) {
    frame.set_sampled_at_us(static_cast<std::int64_t>(event.timestamp_ms) * 1000);
  }
  for (const NamedValue& v : event.values) {
    auto spec = device.by_sparkplug_metric.find(v.name);
    if (spec == device.by_sparkplug_metric.end()) continue;  // not a metric of the profile
    v1::RawValue raw;
    if (Status s = to_raw_value(*spec->second, v.value, &raw); !s.ok()) {
      sink.error(device, "value", "metric " + v.name + ": " + s.message());
      continue;
    }
    *frame.add_values() = std::move(raw);
  }
  if (frame.values_size() > 0) sink.frame(device, std::move(frame));
}

Result<OutgoingMessage> SparkplugHost::command(const MqttDevice& device,
                                               const v1::MetricSpec& metric, double raw,
                                               std::uint64_t unix_ms) const {
  const SparkplugAddressConfig& sp = *device.config.sparkplug;
  const std::string name = sparkplug_source(metric).metric();
  if (name.empty()) {
    return Status::FailedPrecondition("metric " + metric.name() + " has no Sparkplug name");
  }
  SparkplugWrite w;
  w.name = name;
  w.raw = raw;
  {
    std::lock_guard lock(mu_);
    const EdgeNode& node = nodes_.at(key(sp.group, sp.edge_node));
    const BirthMetricInfo* born = node.session.birth_metric(sp.device, name);
    if (born == nullptr) {
      return Status::FailedPrecondition(
          node.session.device_born(sp.device)
              ? "metric " + name + " is not in the birth of " + device.config.id
              : device.config.id + " has not been born (no " +
                    std::string(sp.device.empty() ? "NBIRTH" : "DBIRTH") + " seen)");
    }
    w.alias = born->alias;
    w.datatype = born->datatype;
  }
  auto payload = encode_sparkplug_command({w}, unix_ms);
  if (!payload.ok()) return payload.status();
  const SparkplugVerb verb = sp.device.empty() ? SparkplugVerb::kNCmd : SparkplugVerb::kDCmd;
  return OutgoingMessage{sparkplug_topic({sp.group, verb, sp.edge_node, sp.device}),
                         std::move(payload).value()};
}

void SparkplugHost::export_to(SessionState* out) const {
  std::lock_guard lock(mu_);
  for (const auto& [k, node] : nodes_) {
    EdgeNodeState* s = out->add_edge_nodes();
    s->set_group(node.group);
    s->set_edge_node(node.edge_node);
    const EdgeNodeSession::Snapshot snap = node.session.snapshot();
    s->set_born(snap.born);
    if (snap.bd_seq) s->set_bd_seq(*snap.bd_seq);
    s->set_next_seq(snap.next_seq);
    for (const auto& [dev, metrics] : snap.births) {
      DeviceBirthState* d = s->add_devices();
      d->set_device(dev);
      for (const BirthMetricInfo& m : metrics) {
        BirthMetric* bm = d->add_metrics();
        bm->set_name(m.name);
        if (m.alias) bm->set_alias(*m.alias);
        bm->set_datatype(m.datatype);
      }
    }
  }
}

void SparkplugHost::import_from(const SessionState& in) {
  std::lock_guard lock(mu_);
  for (const EdgeNodeState& s : in.edge_nodes()) {
    auto it = nodes_.find(key(s.group(), s.edge_node()));
    if (it == nodes_.end()) continue;  // no longer configured
    EdgeNodeSession::Snapshot snap;
    snap.born = s.born();
    if (s.has_bd_seq()) snap.bd_seq = s.bd_seq();
    snap.next_seq = s.next_seq();
    for (const DeviceBirthState& d : s.devices()) {
      auto& metrics = snap.births[d.device()];
      for (const BirthMetric& bm : d.metrics()) {
        metrics.push_back(
            {bm.name(), bm.has_alias() ? std::optional(bm.alias()) : std::nullopt, bm.datatype()});
      }
    }
    it->second.session.restore(snap);
  }
}

}  // namespace itc::mqtt
