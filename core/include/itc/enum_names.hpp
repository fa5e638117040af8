// Protobuf enum values as people write them in YAML: the value's name without the prefix
// proto style puts on it (the enum type's name in UPPER_SNAKE_CASE), in lower case —
// `holding_registers` for ModbusFunction's MODBUS_FUNCTION_HOLDING_REGISTERS. The host's
// config mapper accepts these (and full names, in any case); Studio's forms offer them.
#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <string_view>

#include "itc/export.hpp"

namespace itc {

// "ModbusFunction", "MODBUS_FUNCTION_HOLDING_REGISTERS" -> "holding_registers"; a value
// without the prefix is only lower-cased.
ITC_EXPORT std::string enum_short_name(std::string_view enum_type_name,
                                       std::string_view value_name);

// The value of `en` named `text`: its full name exactly, or its full or short name in
// any case. Null if none.
ITC_EXPORT const google::protobuf::EnumValueDescriptor* find_enum_value(
    const google::protobuf::EnumDescriptor& en, std::string_view text);

}  // namespace itc
