// PolledDevice: one configured Modbus device, its profile and read plan, and its link
// state; WriteJob: a checked, encoded write a command asked for.
// Thread safety: see endpoint_poller.hpp (a device's run-time fields belong to the one
// poller that owns it while it runs).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "itc/v1/device.pb.h"
#include "itc/v1/profile.pb.h"
#include "modbus_config.hpp"
#include "read_plan.hpp"

namespace itc::modbus {

struct PolledDevice {
  DeviceSettings settings;
  std::shared_ptr<const v1::DeviceProfile> profile;
  std::vector<ReadRequest> plan;

  // Run-time state (the owning poller's thread, or the plugin while no poller runs).
  enum class Link { kUnknown, kUp, kDown };
  Link link = Link::kUnknown;
  std::uint32_t failures = 0;            // polls failed in a row
  std::chrono::nanoseconds next_due{0};  // host steady clock
  std::chrono::nanoseconds backoff{0};   // while down
};

// A write a command asked for, already checked and encoded.
struct WriteJob {
  PolledDevice* device = nullptr;
  v1::Command command;
  FieldLayout layout;
  std::vector<std::uint16_t> registers;  // for holding registers
  bool bit = false;                      // for a coil
  std::string what;                      // "holding registers 0 := 40"
};

}  // namespace itc::modbus
