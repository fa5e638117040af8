// Read planning: the fewest read requests that fetch every Modbus field of a device
// profile. Fields of one table are sorted by address and merged into one request while
// the gap between them is at most the table's max gap and the request stays within the
// protocol limit (125 registers / 2000 bits). Overlapping fields share registers.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/profile.pb.h"
#include "register_codec.hpp"

namespace itc::modbus {

// One metric of the profile and where it lives.
struct PlannedField {
  int metric = 0;  // index into DeviceProfile.metrics
  FieldLayout layout;
};

struct ReadRequest {
  ModbusFunction table = MODBUS_FUNCTION_UNSPECIFIED;
  std::uint16_t address = 0;
  std::uint16_t count = 0;           // registers or bits
  std::vector<PlannedField> fields;  // each lies within [address, address + count)
};

struct PlanLimits {
  std::uint32_t max_gap_registers = 8;
  std::uint32_t max_gap_bits = 64;
};

// The profile's metrics that have a modbus source, checked (layout_of). InvalidArgument
// naming the metric ("metrics[2] (voltage): modbus.count: ...") on a bad source, or if
// no metric has a modbus source.
Result<std::vector<PlannedField>> modbus_fields(const v1::DeviceProfile& profile);

// Requests covering every field: by table (coils, discrete inputs, holding, input), then
// by address.
std::vector<ReadRequest> plan_reads(std::vector<PlannedField> fields, const PlanLimits& limits);

// One request per field of `request` (for a device that refuses a merged range).
std::vector<ReadRequest> split_fields(const ReadRequest& request);

// "input registers 0..7".
std::string describe(const ReadRequest& request);

}  // namespace itc::modbus
