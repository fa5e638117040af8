// What a Modbus device (and its profile) puts in front of the modbus plugin's register
// codec (itc_modbus_core): the field layout checked from a profile's ModbusSource, the
// registers a device answered decoded into a RawValue, a coil, and a value to write
// encoded back into registers (and decoded again: a write must read back as itself).
// Input: [source length: 1 byte][serialized itc::modbus::ModbusSource][8 bytes: the double to
// write][the registers, 2 bytes each, big-endian as on the wire].
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "register_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 + 8) return 0;
  const std::size_t source_length = data[0];
  if (size < 1 + source_length + 8) return 0;
  itc::modbus::ModbusSource source;
  if (!source.ParseFromArray(data + 1, static_cast<int>(source_length))) return 0;
  double raw = 0;
  std::memcpy(&raw, data + 1 + source_length, sizeof raw);
  std::vector<std::uint16_t> registers;
  for (std::size_t at = 1 + source_length + 8; at + 1 < size; at += 2) {
    registers.push_back(static_cast<std::uint16_t>((data[at] << 8) | data[at + 1]));
  }
  itc::v1::RawValue value;
  itc::modbus::decode_bit(!registers.empty() && registers[0] != 0, &value);
  (void)itc::modbus::encode_bit(raw);
  auto layout = itc::modbus::layout_of(source);
  if (!layout.ok()) return 0;
  (void)itc::modbus::table_name(layout->table);
  (void)itc::modbus::type_name(layout->type);
  (void)itc::modbus::decode_registers(*layout, registers, &value);
  if (itc::modbus::is_bit_table(layout->table)) return 0;
  auto written = itc::modbus::encode_registers(*layout, raw);
  if (!written.ok()) return 0;
  // What was written reads back as the value written (rounded for integer types).
  itc::v1::RawValue back;
  if (!itc::modbus::decode_registers(*layout, *written, &back).ok()) std::abort();
  const double read = back.has_raw_double() ? back.raw_double()
                      : back.has_raw_int()  ? static_cast<double>(back.raw_int())
                                            : static_cast<double>(back.raw_bool());
  if (std::fabs(read - raw) > 0.5 + std::fabs(raw) * 1e-6) std::abort();
  return 0;
}
