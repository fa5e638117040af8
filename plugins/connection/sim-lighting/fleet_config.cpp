#include "fleet_config.hpp"

#include <cstdio>

#include "itc/crypto.hpp"

namespace itc::sim_lighting {

Result<FleetConfig> parse_fleet_config(const Config& msg) {
  FleetConfig c;
  // The value ranges are the proto's (itc.v1.range): the host checked them already.
  if (msg.has_lamps()) c.lamps = msg.lamps();
  if (msg.has_report_interval_ms()) {
    c.report_interval = std::chrono::milliseconds(msg.report_interval_ms());
  }
  if (!msg.fleet_seed().empty()) c.fleet_seed = msg.fleet_seed();
  if (msg.owner_public_key().empty()) {
    return Status::InvalidArgument(
        "owner_public_key: required (64 hex digits or a PEM file path of the lamps' owner)");
  }
  auto owner = crypto::load_public_key(msg.owner_public_key());
  if (!owner.ok()) {
    return Status::InvalidArgument("owner_public_key: " + owner.status().message());
  }
  c.owner_public_key = std::move(owner).value();
  if (msg.has_fault_probability()) c.fault_probability = msg.fault_probability();
  if (!msg.id_prefix().empty()) c.id_prefix = msg.id_prefix();
  if (!msg.profile().empty()) c.profile = msg.profile();
  return c;
}

std::string lamp_id(const std::string& prefix, std::uint32_t number) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%06u", number);
  return prefix + digits;
}

}  // namespace itc::sim_lighting
