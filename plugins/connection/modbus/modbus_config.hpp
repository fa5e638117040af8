// ModbusConfig: the modbus plugin's config (modbus.proto) with defaults applied and
// every field checked.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "itc/status.hpp"
#include "read_plan.hpp"

namespace itc::modbus {

class Config;  // modbus.proto

struct DeviceSettings {
  std::string id;
  std::string profile;
  std::string host;
  std::uint16_t port = 502;
  std::uint8_t unit_id = 1;
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds timeout{500};
  std::uint32_t retries = 2;
};

struct ModbusConfig {
  std::string owner_public_key;  // as configured: hex or a PEM path (checked)
  std::string gateway_key_file;  // empty: <data dir>/gateway.pem
  std::vector<DeviceSettings> devices;
  std::uint32_t offline_after = 3;
  std::chrono::milliseconds reconnect_min{500};
  std::chrono::milliseconds reconnect_max{30000};
  PlanLimits limits;  // Set: commands are verified on the devices' behalf
                      // (itc/light/device_verifiers.hpp).
  std::string genesis_file;
  std::uint32_t max_header_age_s = 300;
};

// Applies the defaults to `msg` and checks every field. On a bad value returns
// InvalidArgument whose message starts with the field, e.g. "devices[1].port: must be
// 1..65535, got 0".
Result<ModbusConfig> parse_modbus_config(const Config& msg);

}  // namespace itc::modbus
