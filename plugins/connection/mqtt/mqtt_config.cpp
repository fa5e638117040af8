#include "mqtt_config.hpp"

#include <filesystem>
#include <set>

#include "itc/crypto.hpp"
#include "json_document.hpp"
#include "mqtt.pb.h"

namespace itc::mqtt {
namespace {

Status invalid(const std::string& field, const std::string& message) {
  return Status::InvalidArgument(field + ": " + message);
}

// "host:port", "[v6]:port" or "host" (then `default_port`).
Status parse_broker(const std::string& text, int default_port, MqttConfig* c) {
  std::string host = text;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) return invalid("broker", "unclosed '[' in \"" + text + "\"");
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return invalid("broker", "expected ':' after ']'");
      port = text.substr(close + 2);
    }
  } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return invalid("broker", "no host in \"" + text + "\"");
  c->host = host;
  c->port = default_port;
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) < 1 || std::stoi(port) > 65535) {
      return invalid("broker", "port must be 1..65535, got \"" + port + "\"");
    }
    c->port = std::stoi(port);
  }
  return Status::Ok();
}

Status check_file(const std::string& field, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return invalid(field, "no such file: " + path);
  }
  return Status::Ok();
}

// Sparkplug ids and MQTT topic parts may not hold topic separators or wildcards.
Status check_id(const std::string& field, const std::string& id, bool required) {
  if (id.empty()) return required ? invalid(field, "required") : Status::Ok();
  if (id.find_first_of("/+#") != std::string::npos) {
    return invalid(field, "\"" + id + "\" may not contain '/', '+' or '#'");
  }
  return Status::Ok();
}

Status parse_device(const Device& d, std::size_t index, int default_qos, DeviceConfig* out) {
  const std::string f = "devices[" + std::to_string(index) + "]";
  if (d.id().empty()) return invalid(f + ".id", "required");
  if (d.profile().empty()) return invalid(f + ".profile", "required");
  out->id = d.id();
  out->profile = d.profile();
  out->qos = d.has_qos() ? static_cast<int>(d.qos()) : default_qos;
  if (d.has_sparkplug()) {
    if (!d.address().empty()) {
      return invalid(f + ".address", "a Sparkplug device has no address (it has `sparkplug`)");
    }
    const SparkplugAddress& s = d.sparkplug();
    ITC_RETURN_IF_ERROR(check_id(f + ".sparkplug.group", s.group(), true));
    ITC_RETURN_IF_ERROR(check_id(f + ".sparkplug.edge_node", s.edge_node(), true));
    ITC_RETURN_IF_ERROR(check_id(f + ".sparkplug.device", s.device(), false));
    out->sparkplug = SparkplugAddressConfig{s.group(), s.edge_node(), s.device()};
    return Status::Ok();
  }
  out->address = d.address().empty() ? d.id() : d.address();
  return check_id(f + ".address", out->address, true);
}

}  // namespace

std::string device_topic(std::string_view topic_template, std::string_view address) {
  static constexpr std::string_view kPlaceholder = "{device}";
  std::string out(topic_template);
  for (std::size_t at = out.find(kPlaceholder); at != std::string::npos;
       at = out.find(kPlaceholder, at + address.size())) {
    out.replace(at, kPlaceholder.size(), address);
  }
  return out;
}

Result<MqttConfig> parse_mqtt_config(const Config& msg) {
  MqttConfig c;
  if (msg.protocol().empty() || msg.protocol() == "mqtt311") {
    c.mqtt5 = false;
  } else if (msg.protocol() == "mqtt5") {
    c.mqtt5 = true;
  } else {
    return invalid("protocol", "must be mqtt311 or mqtt5, got \"" + msg.protocol() + "\"");
  }
  const bool tls = !msg.tls().ca_file().empty();
  if (msg.has_tls()) {
    if (!tls) return invalid("tls.ca_file", "required to use TLS");
    ITC_RETURN_IF_ERROR(check_file("tls.ca_file", msg.tls().ca_file()));
    if (msg.tls().cert_file().empty() != msg.tls().key_file().empty()) {
      return invalid(msg.tls().cert_file().empty() ? "tls.cert_file" : "tls.key_file",
                     "a client certificate needs both cert_file and key_file");
    }
    if (!msg.tls().cert_file().empty()) {
      ITC_RETURN_IF_ERROR(check_file("tls.cert_file", msg.tls().cert_file()));
      ITC_RETURN_IF_ERROR(check_file("tls.key_file", msg.tls().key_file()));
    }
    c.tls = {msg.tls().ca_file(), msg.tls().cert_file(), msg.tls().key_file()};
  }
  ITC_RETURN_IF_ERROR(
      parse_broker(msg.broker().empty() ? "127.0.0.1" : msg.broker(), tls ? 8883 : 1883, &c));
  c.client_id = msg.client_id();
  if (c.client_id.size() > 65535) return invalid("client_id", "longer than 65535 bytes");
  c.persistent_session = msg.persistent_session();
  if (msg.has_session_expiry_s()) c.session_expiry_s = msg.session_expiry_s();
  // The value ranges are the proto's (itc.v1.range): the host checked them already.
  if (msg.has_keepalive_s()) c.keepalive_s = static_cast<int>(msg.keepalive_s());
  c.username = msg.username();
  c.password_file = msg.password_file();
  if (!c.password_file.empty()) {
    if (c.username.empty()) return invalid("username", "required with password_file");
    ITC_RETURN_IF_ERROR(check_file("password_file", c.password_file));
  }
  const int qos = msg.has_qos() ? static_cast<int>(msg.qos()) : 1;
  if (msg.reconnect().has_min_delay_ms()) c.reconnect_min_ms = msg.reconnect().min_delay_ms();
  if (msg.reconnect().has_max_delay_ms()) c.reconnect_max_ms = msg.reconnect().max_delay_ms();
  if (c.reconnect_max_ms < c.reconnect_min_ms) {
    return invalid("reconnect.max_delay_ms", "must not be below min_delay_ms (" +
                                                 std::to_string(c.reconnect_min_ms) + "), got " +
                                                 std::to_string(c.reconnect_max_ms));
  }
  c.host_id = msg.sparkplug().host_id();
  ITC_RETURN_IF_ERROR(check_id("sparkplug.host_id", c.host_id, false));
  if (msg.sparkplug().has_publish_state()) c.publish_state = msg.sparkplug().publish_state();
  if (msg.sparkplug().has_rebirth_interval_ms()) {
    c.rebirth_interval_ms = msg.sparkplug().rebirth_interval_ms();
  }
  if (msg.owner_public_key().empty()) {
    return invalid("owner_public_key",
                   "required (64 hex digits or a PEM file path of the devices' owner)");
  }
  if (auto owner = crypto::load_public_key(msg.owner_public_key()); !owner.ok()) {
    return invalid("owner_public_key", owner.status().message());
  }
  c.owner_public_key = msg.owner_public_key();
  c.gateway_key_file = msg.gateway_key_file();
  c.genesis_file = msg.genesis_file();
  if (msg.has_max_header_age_s()) c.max_header_age_s = msg.max_header_age_s();

  if (msg.devices().empty()) return invalid("devices", "at least one device is required");
  std::set<std::string> ids;
  for (int i = 0; i < msg.devices_size(); ++i) {
    DeviceConfig d;
    ITC_RETURN_IF_ERROR(parse_device(msg.devices(i), static_cast<std::size_t>(i), qos, &d));
    if (!ids.insert(d.id).second) {
      return invalid("devices[" + std::to_string(i) + "].id", "\"" + d.id + "\" is listed twice");
    }
    c.devices.push_back(std::move(d));
  }
  return c;
}

Status check_device_profiles(const MqttConfig& config, const DeviceProfiles& profiles) {
  for (std::size_t i = 0; i < config.devices.size(); ++i) {
    const DeviceConfig& d = config.devices[i];
    const std::string f = "devices[" + std::to_string(i) + "]";
    auto profile = profiles.find(d.profile);
    if (!profile) {
      std::string known;
      for (const auto& p : profiles.all()) known += (known.empty() ? "" : ", ") + p->name();
      return invalid(f + ".profile", "unknown device profile \"" + d.profile +
                                         "\" (known: " + (known.empty() ? "none" : known) + ")");
    }
    std::size_t sources = 0;
    for (const v1::MetricSpec& m : profile->metrics()) {
      const std::string at = "profile " + d.profile + " metric " + m.name() + ": ";
      if (d.sparkplug) {
        if (!m.sources().contains("sparkplug")) continue;
        if (sparkplug_source(m).metric().empty()) {
          return invalid(f + ".profile", at + "sparkplug.metric: required");
        }
        ++sources;
        continue;
      }
      if (!m.sources().contains("mqtt")) continue;
      const MqttJsonSource json = json_source(m);
      if (json.topic().empty()) return invalid(f + ".profile", at + "mqtt.topic: required");
      if (json.topic().find_first_of("+#") != std::string::npos) {
        return invalid(f + ".profile", at +
                                           "mqtt.topic: wildcards (+, #) are not allowed in a "
                                           "device topic, got \"" +
                                           json.topic() + "\"");
      }
      ++sources;
      const std::string topic = device_topic(json.topic(), d.address);
      if (topic.find_first_of("+#") != std::string::npos) {
        return invalid(f + ".profile", at + "topic \"" + topic + "\" holds a wildcard");
      }
      if (json.json_path().empty()) return invalid(f + ".profile", at + "mqtt.json_path: required");
      if (auto path = JsonPath::parse(json.json_path()); !path.ok()) {
        return invalid(f + ".profile",
                       at + "json_path \"" + json.json_path() + "\": " + path.status().message());
      }
    }
    if (sources == 0) {
      return invalid(f + ".profile", "profile " + d.profile + " gives no " +
                                         (d.sparkplug ? "sparkplug metric" : "mqtt topic") +
                                         " for any metric");
    }
  }
  return Status::Ok();
}

}  // namespace itc::mqtt

namespace itc::mqtt {

MqttJsonSource json_source(const v1::MetricSpec& metric) {
  return profile_section<MqttJsonSource>(metric, "mqtt").value_or(MqttJsonSource());
}

SparkplugSource sparkplug_source(const v1::MetricSpec& metric) {
  return profile_section<SparkplugSource>(metric, "sparkplug").value_or(SparkplugSource());
}

}  // namespace itc::mqtt
