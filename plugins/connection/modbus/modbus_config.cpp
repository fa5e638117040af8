#include "modbus_config.hpp"

#include <map>
#include <optional>
#include <set>

#include "itc/crypto.hpp"
#include "modbus.pb.h"

namespace itc::modbus {

Result<ModbusConfig> parse_modbus_config(const Config& msg) {
  ModbusConfig c;
  if (msg.owner_public_key().empty()) {
    return Status::InvalidArgument(
        "owner_public_key: required (64 hex digits or a PEM file path of the devices' owner)");
  }
  if (auto owner = crypto::load_public_key(msg.owner_public_key()); !owner.ok()) {
    return Status::InvalidArgument("owner_public_key: " + owner.status().message());
  }
  c.owner_public_key = msg.owner_public_key();
  c.gateway_key_file = msg.gateway_key_file();
  c.genesis_file = msg.genesis_file();
  if (msg.has_max_header_age_s()) c.max_header_age_s = msg.max_header_age_s();

  // The value ranges are the proto's (itc.v1.range): the host checked them already.
  auto or_default = [](bool has, std::uint32_t value, std::uint32_t fallback) {
    return has ? value : fallback;
  };
  const std::uint32_t poll = or_default(msg.has_poll_interval_ms(), msg.poll_interval_ms(), 1000);
  const std::uint32_t timeout = or_default(msg.has_timeout_ms(), msg.timeout_ms(), 500);
  const std::uint32_t retries = or_default(msg.has_retries(), msg.retries(), 2);
  c.offline_after = or_default(msg.has_offline_after(), msg.offline_after(), c.offline_after);
  c.reconnect_min = std::chrono::milliseconds(
      or_default(msg.has_reconnect_min_ms(), msg.reconnect_min_ms(), 500));
  c.reconnect_max = std::chrono::milliseconds(
      or_default(msg.has_reconnect_max_ms(), msg.reconnect_max_ms(), 30000));
  if (c.reconnect_max < c.reconnect_min) {
    return Status::InvalidArgument("reconnect_max_ms: must not be below reconnect_min_ms (" +
                                   std::to_string(c.reconnect_min.count()) + "), got " +
                                   std::to_string(c.reconnect_max.count()));
  }
  c.limits.max_gap_registers =
      or_default(msg.has_max_gap_registers(), msg.max_gap_registers(), c.limits.max_gap_registers);
  c.limits.max_gap_bits =
      or_default(msg.has_max_gap_bits(), msg.max_gap_bits(), c.limits.max_gap_bits);

  std::map<std::string, std::uint32_t> profile_poll;
  for (int i = 0; i < msg.profile_defaults_size(); ++i) {
    const ProfileDefaults& d = msg.profile_defaults(i);
    const std::string at = "profile_defaults[" + std::to_string(i) + "]";
    if (d.profile().empty()) return Status::InvalidArgument(at + ".profile: required");
    if (!d.has_poll_interval_ms()) {
      return Status::InvalidArgument(at + ".poll_interval_ms: required");
    }
    if (!profile_poll.emplace(d.profile(), d.poll_interval_ms()).second) {
      return Status::InvalidArgument(at + ".profile: \"" + d.profile() + "\" is listed twice");
    }
  }

  if (msg.devices_size() == 0) {
    return Status::InvalidArgument("devices: at least one device is required");
  }
  std::set<std::string> ids;
  for (int i = 0; i < msg.devices_size(); ++i) {
    const Device& d = msg.devices(i);
    const std::string at = "devices[" + std::to_string(i) + "]";
    DeviceSettings s;
    if (d.id().empty()) return Status::InvalidArgument(at + ".id: required");
    if (!ids.insert(d.id()).second) {
      return Status::InvalidArgument(at + ".id: \"" + d.id() + "\" is used by another device");
    }
    s.id = d.id();
    if (d.profile().empty()) return Status::InvalidArgument(at + ".profile: required");
    s.profile = d.profile();
    if (d.host().empty()) {
      return Status::InvalidArgument(at + ".host: required (IP address or host name)");
    }
    s.host = d.host();
    s.port = static_cast<std::uint16_t>(or_default(d.has_port(), d.port(), 502));
    if (d.has_unit_id() && (d.unit_id() < 1 || (d.unit_id() > 247 && d.unit_id() != 255))) {
      return Status::InvalidArgument(at + ".unit_id: must be 1..247 or 255 (0 is broadcast), got " +
                                     std::to_string(d.unit_id()));
    }
    s.unit_id = static_cast<std::uint8_t>(d.has_unit_id() ? d.unit_id() : 1);
    auto by_profile = profile_poll.find(s.profile);
    const std::uint32_t default_poll = by_profile != profile_poll.end() ? by_profile->second : poll;
    s.poll_interval = std::chrono::milliseconds(
        or_default(d.has_poll_interval_ms(), d.poll_interval_ms(), default_poll));
    s.timeout = std::chrono::milliseconds(or_default(d.has_timeout_ms(), d.timeout_ms(), timeout));
    s.retries = or_default(d.has_retries(), d.retries(), retries);
    c.devices.push_back(std::move(s));
  }
  return c;
}

}  // namespace itc::modbus
