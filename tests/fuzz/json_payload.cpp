// A plain MQTT JSON device's payload as the mqtt plugin reads it: the JsonPath parser
// (profile paths like "channels[2].value") and the JsonDocument parser (depth limit, byte
// positions in errors) with the path looked up in it (itc_mqtt_wire).
// Input: the path, a newline, then the JSON document.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "json_document.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  auto path = itc::mqtt::JsonPath::parse(input.substr(0, newline));
  auto doc = itc::mqtt::JsonDocument::parse(input.substr(newline + 1));
  if (path.ok() && doc.ok()) (void)doc->find(*path);
  return 0;
}
