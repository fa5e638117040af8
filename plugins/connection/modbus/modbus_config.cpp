#include "modbus_config.hpp"

#include <map>
#include <optional>
#include <set>

#include "itc/crypto.hpp"
#include "modbus.pb.h"

namespace itc::modbus {
namespace {

constexpr std::uint32_t kMinInterval = 10;
constexpr std::uint32_t kMinPollInterval = 0;  // back to back
constexpr std::uint32_t kMaxInterval = 3'600'000;

// `value` if it lies in lo..hi, else InvalidArgument "<field>: must be lo..hi, got v".
Result<std::uint32_t> in_range(const std::string& field, std::uint32_t value, std::uint32_t lo,
                               std::uint32_t hi) {
  if (value < lo || value > hi) {
    return Status::InvalidArgument(field + ": must be " + std::to_string(lo) + ".." +
                                   std::to_string(hi) + ", got " + std::to_string(value));
  }
  return value;
}

// An optional field: its checked value, or `fallback` when it is unset.
Result<std::uint32_t> optional_in_range(const std::string& field, bool has, std::uint32_t value,
                                        std::uint32_t fallback, std::uint32_t lo,
                                        std::uint32_t hi) {
  return has ? in_range(field, value, lo, hi) : Result<std::uint32_t>(fallback);
}

#define ASSIGN_OR_RETURN_FIELD(lhs, expr) \
  do {                                    \
    auto r_ = (expr);                     \
    if (!r_.ok()) return r_.status();     \
    lhs = *r_;                            \
  } while (0)

}  // namespace

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

  std::uint32_t poll = 1000, timeout = 500, retries = 2, v = 0;
  ASSIGN_OR_RETURN_FIELD(
      poll, optional_in_range("poll_interval_ms", msg.has_poll_interval_ms(),
                              msg.poll_interval_ms(), poll, kMinPollInterval, kMaxInterval));
  ASSIGN_OR_RETURN_FIELD(timeout, optional_in_range("timeout_ms", msg.has_timeout_ms(),
                                                    msg.timeout_ms(), timeout, 10, 60000));
  ASSIGN_OR_RETURN_FIELD(
      retries, optional_in_range("retries", msg.has_retries(), msg.retries(), retries, 0, 10));
  ASSIGN_OR_RETURN_FIELD(c.offline_after,
                         optional_in_range("offline_after", msg.has_offline_after(),
                                           msg.offline_after(), c.offline_after, 1, 1000));
  ASSIGN_OR_RETURN_FIELD(
      v, optional_in_range("reconnect_min_ms", msg.has_reconnect_min_ms(), msg.reconnect_min_ms(),
                           500, kMinInterval, kMaxInterval));
  c.reconnect_min = std::chrono::milliseconds(v);
  ASSIGN_OR_RETURN_FIELD(
      v, optional_in_range("reconnect_max_ms", msg.has_reconnect_max_ms(), msg.reconnect_max_ms(),
                           30000, kMinInterval, kMaxInterval));
  c.reconnect_max = std::chrono::milliseconds(v);
  if (c.reconnect_max < c.reconnect_min) {
    return Status::InvalidArgument("reconnect_max_ms: must not be below reconnect_min_ms (" +
                                   std::to_string(c.reconnect_min.count()) + "), got " +
                                   std::to_string(c.reconnect_max.count()));
  }
  ASSIGN_OR_RETURN_FIELD(
      c.limits.max_gap_registers,
      optional_in_range("max_gap_registers", msg.has_max_gap_registers(), msg.max_gap_registers(),
                        c.limits.max_gap_registers, 0, kMaxRegistersPerRead - 1));
  ASSIGN_OR_RETURN_FIELD(
      c.limits.max_gap_bits,
      optional_in_range("max_gap_bits", msg.has_max_gap_bits(), msg.max_gap_bits(),
                        c.limits.max_gap_bits, 0, kMaxBitsPerRead - 1));

  std::map<std::string, std::uint32_t> profile_poll;
  for (int i = 0; i < msg.profile_defaults_size(); ++i) {
    const ProfileDefaults& d = msg.profile_defaults(i);
    const std::string at = "profile_defaults[" + std::to_string(i) + "]";
    if (d.profile().empty()) return Status::InvalidArgument(at + ".profile: required");
    if (!d.has_poll_interval_ms()) {
      return Status::InvalidArgument(at + ".poll_interval_ms: required");
    }
    ASSIGN_OR_RETURN_FIELD(v, in_range(at + ".poll_interval_ms", d.poll_interval_ms(),
                                       kMinPollInterval, kMaxInterval));
    if (!profile_poll.emplace(d.profile(), v).second) {
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
    ASSIGN_OR_RETURN_FIELD(v,
                           optional_in_range(at + ".port", d.has_port(), d.port(), 502, 1, 65535));
    s.port = static_cast<std::uint16_t>(v);
    if (d.has_unit_id() && (d.unit_id() < 1 || (d.unit_id() > 247 && d.unit_id() != 255))) {
      return Status::InvalidArgument(at + ".unit_id: must be 1..247 or 255 (0 is broadcast), got " +
                                     std::to_string(d.unit_id()));
    }
    s.unit_id = static_cast<std::uint8_t>(d.has_unit_id() ? d.unit_id() : 1);
    auto by_profile = profile_poll.find(s.profile);
    const std::uint32_t default_poll = by_profile != profile_poll.end() ? by_profile->second : poll;
    ASSIGN_OR_RETURN_FIELD(
        v, optional_in_range(at + ".poll_interval_ms", d.has_poll_interval_ms(),
                             d.poll_interval_ms(), default_poll, kMinPollInterval, kMaxInterval));
    s.poll_interval = std::chrono::milliseconds(v);
    ASSIGN_OR_RETURN_FIELD(v, optional_in_range(at + ".timeout_ms", d.has_timeout_ms(),
                                                d.timeout_ms(), timeout, 10, 60000));
    s.timeout = std::chrono::milliseconds(v);
    ASSIGN_OR_RETURN_FIELD(s.retries, optional_in_range(at + ".retries", d.has_retries(),
                                                        d.retries(), retries, 0, 10));
    c.devices.push_back(std::move(s));
  }
  return c;
}

}  // namespace itc::modbus
