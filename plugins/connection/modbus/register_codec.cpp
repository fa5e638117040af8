#include "register_codec.hpp"

#include <bit>
#include <cfloat>
#include <cmath>
#include <limits>

#include "itc/services/device_profiles.hpp"

namespace itc::modbus {
namespace {

std::string number(double v) {
  std::string s = std::to_string(v);
  if (s.find('.') != std::string::npos) {
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

// The field's registers as one big-endian integer (high word first).
std::uint64_t combine(const FieldLayout& layout, std::span<const std::uint16_t> regs) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < regs.size(); ++i) {
    const std::size_t k = layout.low_word_first ? regs.size() - 1 - i : i;
    v = (v << 16) | regs[k];
  }
  return v;
}

// `v` as `width` registers in the field's word order.
std::vector<std::uint16_t> split(const FieldLayout& layout, std::uint64_t v) {
  std::vector<std::uint16_t> regs(layout.width);
  for (std::size_t i = 0; i < regs.size(); ++i) {
    const auto word = static_cast<std::uint16_t>(v >> (16 * (regs.size() - 1 - i)));
    regs[layout.low_word_first ? regs.size() - 1 - i : i] = word;
  }
  return regs;
}

struct IntRange {
  double min;
  double max_exclusive;
};

IntRange range_of(ModbusDataType type) {
  switch (type) {
    case MODBUS_DATA_TYPE_BOOL:
      return {0, 2};
    case MODBUS_DATA_TYPE_UINT16:
      return {0, 65536.0};
    case MODBUS_DATA_TYPE_INT16:
      return {-32768.0, 32768.0};
    case MODBUS_DATA_TYPE_UINT32:
      return {0, 4294967296.0};
    case MODBUS_DATA_TYPE_INT32:
      return {-2147483648.0, 2147483648.0};
    case MODBUS_DATA_TYPE_UINT64:
      return {0, 18446744073709551616.0};
    default:  // INT64
      return {-9223372036854775808.0, 9223372036854775808.0};
  }
}

}  // namespace

bool is_bit_table(ModbusFunction table) {
  return table == MODBUS_FUNCTION_COILS || table == MODBUS_FUNCTION_DISCRETE_INPUTS;
}

bool is_writable(ModbusFunction table) {
  return table == MODBUS_FUNCTION_COILS || table == MODBUS_FUNCTION_HOLDING_REGISTERS;
}

std::string table_name(ModbusFunction table) {
  switch (table) {
    case MODBUS_FUNCTION_COILS:
      return "coils";
    case MODBUS_FUNCTION_DISCRETE_INPUTS:
      return "discrete inputs";
    case MODBUS_FUNCTION_HOLDING_REGISTERS:
      return "holding registers";
    case MODBUS_FUNCTION_INPUT_REGISTERS:
      return "input registers";
    default:
      return "no table";
  }
}

std::string type_name(ModbusDataType type) {
  switch (type) {
    case MODBUS_DATA_TYPE_BOOL:
      return "bool";
    case MODBUS_DATA_TYPE_UINT16:
      return "uint16";
    case MODBUS_DATA_TYPE_INT16:
      return "int16";
    case MODBUS_DATA_TYPE_UINT32:
      return "uint32";
    case MODBUS_DATA_TYPE_INT32:
      return "int32";
    case MODBUS_DATA_TYPE_FLOAT32:
      return "float32";
    case MODBUS_DATA_TYPE_UINT64:
      return "uint64";
    case MODBUS_DATA_TYPE_INT64:
      return "int64";
    case MODBUS_DATA_TYPE_FLOAT64:
      return "float64";
    default:
      return "unspecified";
  }
}

std::uint16_t register_width(ModbusDataType type) {
  switch (type) {
    case MODBUS_DATA_TYPE_UINT32:
    case MODBUS_DATA_TYPE_INT32:
    case MODBUS_DATA_TYPE_FLOAT32:
      return 2;
    case MODBUS_DATA_TYPE_UINT64:
    case MODBUS_DATA_TYPE_INT64:
    case MODBUS_DATA_TYPE_FLOAT64:
      return 4;
    default:
      return 1;
  }
}

Result<FieldLayout> layout_of(const ModbusSource& source) {
  FieldLayout f;
  f.table = source.function();
  if (f.table == MODBUS_FUNCTION_UNSPECIFIED || !ModbusFunction_IsValid(f.table)) {
    return Status::InvalidArgument(
        "modbus.function: required (coils, discrete_inputs, holding_registers or "
        "input_registers)");
  }
  if (source.address() > 65535) {
    return Status::InvalidArgument("modbus.address: must be 0..65535, got " +
                                   std::to_string(source.address()));
  }
  f.address = static_cast<std::uint16_t>(source.address());
  f.type = source.data_type();
  if (!ModbusDataType_IsValid(f.type)) {
    return Status::InvalidArgument("modbus.data_type: " + std::to_string(source.data_type()) +
                                   " is not a data type (bool, uint16, int16, uint32, int32, "
                                   "float32, uint64, int64 or float64)");
  }
  if (is_bit_table(f.table)) {
    if (f.type == MODBUS_DATA_TYPE_UNSPECIFIED) f.type = MODBUS_DATA_TYPE_BOOL;
    if (f.type != MODBUS_DATA_TYPE_BOOL) {
      return Status::InvalidArgument("modbus.data_type: " + table_name(f.table) +
                                     " hold single bits, so only bool fits, not " +
                                     type_name(f.type));
    }
    if (source.count() > 1) {
      return Status::InvalidArgument("modbus.count: a bool field is 1 bit, got " +
                                     std::to_string(source.count()));
    }
    f.width = 1;
    return f;
  }
  if (f.type == MODBUS_DATA_TYPE_UNSPECIFIED) f.type = MODBUS_DATA_TYPE_UINT16;
  f.width = register_width(f.type);
  if (source.count() != 0 && source.count() != f.width) {
    return Status::InvalidArgument("modbus.count: " + type_name(f.type) + " takes " +
                                   std::to_string(f.width) + " register(s), got " +
                                   std::to_string(source.count()));
  }
  if (std::uint32_t{f.address} + f.width > 65536) {
    return Status::InvalidArgument("modbus.address: a " + type_name(f.type) + " at " +
                                   std::to_string(f.address) + " runs past register 65535");
  }
  f.low_word_first = source.word_order() == WORD_ORDER_LOW_FIRST;
  return f;
}

Status decode_registers(const FieldLayout& layout, std::span<const std::uint16_t> registers,
                        v1::RawValue* out) {
  if (registers.size() != layout.width) {
    return Status::InvalidArgument("expected " + std::to_string(layout.width) + " registers, got " +
                                   std::to_string(registers.size()));
  }
  const std::uint64_t v = combine(layout, registers);
  switch (layout.type) {
    case MODBUS_DATA_TYPE_BOOL:
      out->set_raw_bool(v != 0);
      return Status::Ok();
    case MODBUS_DATA_TYPE_UINT16:
    case MODBUS_DATA_TYPE_UINT32:
      out->set_raw_int(static_cast<std::int64_t>(v));
      return Status::Ok();
    case MODBUS_DATA_TYPE_INT16:
      out->set_raw_int(static_cast<std::int16_t>(v));
      return Status::Ok();
    case MODBUS_DATA_TYPE_INT32:
      out->set_raw_int(static_cast<std::int32_t>(v));
      return Status::Ok();
    case MODBUS_DATA_TYPE_INT64:
      out->set_raw_int(static_cast<std::int64_t>(v));
      return Status::Ok();
    case MODBUS_DATA_TYPE_UINT64:
      if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        out->set_raw_double(static_cast<double>(v));
      } else {
        out->set_raw_int(static_cast<std::int64_t>(v));
      }
      return Status::Ok();
    case MODBUS_DATA_TYPE_FLOAT32:
    case MODBUS_DATA_TYPE_FLOAT64: {
      const double d =
          layout.type == MODBUS_DATA_TYPE_FLOAT32
              ? static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(v)))
              : std::bit_cast<double>(v);
      if (std::isnan(d)) return Status::InvalidArgument(type_name(layout.type) + " is NaN");
      if (std::isinf(d)) return Status::InvalidArgument(type_name(layout.type) + " is infinite");
      out->set_raw_double(d);
      return Status::Ok();
    }
    default:
      return Status::InvalidArgument("no data type");
  }
}

void decode_bit(bool bit, v1::RawValue* out) { out->set_raw_bool(bit); }

Result<std::vector<std::uint16_t>> encode_registers(const FieldLayout& layout, double raw) {
  if (!std::isfinite(raw)) {
    return Status::InvalidArgument("value " + number(raw) + " is not a finite number");
  }
  if (layout.type == MODBUS_DATA_TYPE_FLOAT32) {
    if (std::fabs(raw) > FLT_MAX) {
      return Status::InvalidArgument("value " + number(raw) + " is outside the float32 range");
    }
    return split(layout, std::bit_cast<std::uint32_t>(static_cast<float>(raw)));
  }
  if (layout.type == MODBUS_DATA_TYPE_FLOAT64) {
    return split(layout, std::bit_cast<std::uint64_t>(raw));
  }
  const double rounded = std::nearbyint(raw);
  const IntRange r = range_of(layout.type);
  if (rounded < r.min || rounded >= r.max_exclusive) {
    return Status::InvalidArgument("value " + number(raw) + " is outside the " +
                                   type_name(layout.type) + " range " + number(r.min) + ".." +
                                   number(r.max_exclusive - 1));
  }
  const bool is_signed = r.min < 0;
  const std::uint64_t bits = is_signed
                                 ? static_cast<std::uint64_t>(static_cast<std::int64_t>(rounded))
                                 : static_cast<std::uint64_t>(rounded);
  return split(layout, bits);
}

Result<bool> encode_bit(double raw) {
  if (raw == 0.0) return false;
  if (raw == 1.0) return true;
  return Status::InvalidArgument("a coil takes 0 or 1, not " + number(raw));
}

}  // namespace itc::modbus
