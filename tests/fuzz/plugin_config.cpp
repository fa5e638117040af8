// A plugin's YAML section as the host maps it into the plugin's own config protobuf: the
// YAML parser, ConfigSchema over the plugin's embedded descriptor set (the lite proto's
// FileDescriptorSet, as ItcPlugin.cmake embeds it) and yaml_to_message's rules (types,
// ranges, enums, bytes, oneofs, repeated and nested messages), then the JSON of the
// result, in core/src/host/config_schema.cpp. The schema is the mqtt plugin's
// itc.mqtt.Config (nested, repeated and optional fields).
// Input: the YAML text of the section.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "host/config_schema.hpp"

extern "C" {
extern const unsigned char itc_generated_config_descriptor[];
extern const std::size_t itc_generated_config_descriptor_size;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto schema = *itc::host::ConfigSchema::create(
      std::string(reinterpret_cast<const char*>(itc_generated_config_descriptor),
                  itc_generated_config_descriptor_size),
      "itc.mqtt.Config");
  YAML::Node yaml;
  try {
    yaml = YAML::Load(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const YAML::Exception&) {
    return 0;  // the host reports a syntax error before any section is mapped
  }
  auto parsed = schema.parse(yaml, "fuzz-node.yaml", "plugins[0].config", nullptr);
  if (parsed.ok()) (void)schema.to_json(*parsed);
  return 0;
}
