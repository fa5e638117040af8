#include "itc/enum_names.hpp"

#include <cctype>

namespace itc {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string enum_short_name(std::string_view enum_type_name, std::string_view value_name) {
  std::string prefix;  // "ModbusFunction" -> "MODBUS_FUNCTION_"
  for (std::size_t i = 0; i < enum_type_name.size(); ++i) {
    const char c = enum_type_name[i];
    if (i > 0 && std::isupper(static_cast<unsigned char>(c))) prefix += '_';
    prefix += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  prefix += '_';
  const bool prefixed =
      value_name.size() > prefix.size() && value_name.substr(0, prefix.size()) == prefix;
  return lower(prefixed ? value_name.substr(prefix.size()) : value_name);
}

const google::protobuf::EnumValueDescriptor* find_enum_value(
    const google::protobuf::EnumDescriptor& en, std::string_view text) {
  if (const auto* ev = en.FindValueByName(std::string(text))) return ev;
  const std::string wanted = lower(text);
  for (int i = 0; i < en.value_count(); ++i) {
    const std::string& name = en.value(i)->name();
    if (wanted == lower(name) || wanted == enum_short_name(en.name(), name)) return en.value(i);
  }
  return nullptr;
}

}  // namespace itc
