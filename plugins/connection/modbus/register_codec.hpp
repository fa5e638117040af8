// Register codec: where a profile metric lives in a Modbus device (FieldLayout, checked
// from its ModbusSource) and the conversion between its registers or bit and a RawValue
// (reads) or a raw number (writes). Pure functions; thread-safe.
//
// Bytes within a register are big-endian (Modbus); the registers of a 32/64-bit value
// are in the field's word order. Integer types become RawValue.raw_int (a uint64 above
// INT64_MAX becomes raw_double), float types raw_double, BOOL and bits raw_bool.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/device.pb.h"
#include "itc/v1/profile.pb.h"
#include "modbus_source.pb.h"

namespace itc::modbus {

// Protocol limits of one read request.
inline constexpr std::uint32_t kMaxRegistersPerRead = 125;
inline constexpr std::uint32_t kMaxBitsPerRead = 2000;

// The key of the plugin's section in a device profile's metric (modbus_source.proto).
inline constexpr const char kProfileSection[] = "modbus";

struct FieldLayout {
  ModbusFunction table = MODBUS_FUNCTION_UNSPECIFIED;
  std::uint16_t address = 0;
  std::uint16_t width = 1;  // registers, or bits (always 1) for coils / discrete inputs
  ModbusDataType type = MODBUS_DATA_TYPE_UNSPECIFIED;  // never UNSPECIFIED here
  bool low_word_first = false;
};

bool is_bit_table(ModbusFunction table);
bool is_writable(ModbusFunction table);  // coils and holding registers

// "input registers", "holding registers", "coils", "discrete inputs".
std::string table_name(ModbusFunction table);
// "float32", "uint16", ...
std::string type_name(ModbusDataType type);

// Registers a value of `type` occupies (1 for BOOL and 16-bit types).
std::uint16_t register_width(ModbusDataType type);

// Checks `source` and applies its defaults. InvalidArgument naming the field
// ("modbus.count: ...") if the table is missing, the type is not a defined data type or
// does not fit the table, the count disagrees with the type, or the field runs past
// address 65535.
Result<FieldLayout> layout_of(const ModbusSource& source);

// Decodes the field from `registers` (exactly layout.width registers, in address order).
// InvalidArgument if the value is a NaN or infinite float (the device has no valid
// reading) or the span has the wrong size.
Status decode_registers(const FieldLayout& layout, std::span<const std::uint16_t> registers,
                        v1::RawValue* out);
// A coil or discrete input.
void decode_bit(bool bit, v1::RawValue* out);

// The registers (address order) that write `raw` into a register field. Integer types
// take `raw` rounded to the nearest integer. InvalidArgument naming the value and the
// type's range if `raw` is not finite or does not fit the type.
Result<std::vector<std::uint16_t>> encode_registers(const FieldLayout& layout, double raw);
// A coil takes 0 or 1 only.
Result<bool> encode_bit(double raw);

}  // namespace itc::modbus
