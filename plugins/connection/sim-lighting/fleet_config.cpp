#include "fleet_config.hpp"

#include <cstdio>

#include "itc/crypto.hpp"
#include "itc/light/owned_command.hpp"

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
  c.genesis_file = msg.genesis_file();
  if (msg.verify() == "chain" || (msg.verify().empty() && !c.genesis_file.empty())) {
    c.verify = FleetConfig::Verify::kChain;
  } else if (msg.verify() != "key" && !msg.verify().empty()) {
    return Status::InvalidArgument("verify: must be chain or key, got '" + msg.verify() + "'");
  }
  if (c.verify == FleetConfig::Verify::kChain) {
    if (c.genesis_file.empty()) {
      return Status::InvalidArgument(
          "genesis_file: required with verify: chain (the lamps' light clients trust its "
          "validators)");
    }
    if (Status s = light::trust_genesis_file(c.genesis_file, &c.trust_root); !s.ok()) {
      return Status::InvalidArgument("genesis_file: " + s.message());
    }
  }
  if (msg.has_max_header_age_s()) c.max_header_age = std::chrono::seconds(msg.max_header_age_s());
  return c;
}

std::string lamp_id(const std::string& prefix, std::uint32_t number) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%06u", number);
  return prefix + digits;
}

}  // namespace itc::sim_lighting
