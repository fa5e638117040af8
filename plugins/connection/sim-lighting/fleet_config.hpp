// FleetConfig: the sim-lighting config with defaults applied and every field checked.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "itc/light/client_state.hpp"
#include "itc/status.hpp"
#include "sim_lighting.pb.h"

namespace itc::sim_lighting {

struct FleetConfig {
  std::uint32_t lamps = 1000;
  std::chrono::milliseconds report_interval{1000};  // 0: as fast as back-pressure allows
  std::string fleet_seed = "itc-sim-lighting";
  std::string owner_public_key;  // raw 32 bytes
  double fault_probability = 0.001;
  std::string id_prefix = "lamp-";
  std::string profile = "dimmable-lamp";
  // Chain: each lamp checks the command's ownership proof with its own light client,
  // trusting `trust_root` (from genesis_file). Key: the configured owner key decides.
  enum class Verify { kKey, kChain };
  Verify verify = Verify::kKey;
  std::string genesis_file;
  light::State trust_root{};  // initialised from genesis_file (chain only)
  std::chrono::seconds max_header_age{300};
};

// Applies the defaults to `msg` and checks every field. On a bad value returns
// InvalidArgument whose message starts with the field name, e.g. "lamps: must be
// 1..100000, got 0".
Result<FleetConfig> parse_fleet_config(const Config& msg);

// "lamp-" + 6 digits: lamp-000001 for number 1.
std::string lamp_id(const std::string& prefix, std::uint32_t number);

}  // namespace itc::sim_lighting
