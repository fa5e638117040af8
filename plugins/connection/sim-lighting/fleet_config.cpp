#include "fleet_config.hpp"

#include <cmath>
#include <cstdio>

#include "itc/crypto.hpp"

namespace itc::sim_lighting {

Result<FleetConfig> parse_fleet_config(const Config& msg) {
  FleetConfig c;
  if (msg.has_lamps()) {
    if (msg.lamps() < 1 || msg.lamps() > 100000) {
      return Status::InvalidArgument("lamps: must be 1..100000, got " +
                                     std::to_string(msg.lamps()));
    }
    c.lamps = msg.lamps();
  }
  if (msg.has_report_interval_ms()) {
    if (msg.report_interval_ms() > 3'600'000) {
      return Status::InvalidArgument("report_interval_ms: must be 0..3600000, got " +
                                     std::to_string(msg.report_interval_ms()));
    }
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
  if (msg.has_fault_probability()) {
    const double p = msg.fault_probability();
    if (!std::isfinite(p) || p < 0.0 || p > 1.0) {
      return Status::InvalidArgument("fault_probability: must be 0..1, got " + std::to_string(p));
    }
    c.fault_probability = p;
  }
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
