// A device profile as an operator writes it (deploy/profiles/*.yaml): the YAML parser and
// parse_device_profile's mapping into v1::DeviceProfile and its checks (metrics, units,
// scaling, ranges, MQTT and Modbus sources, controls), in core/src/host.
// Input: the YAML text of one profile.
#include <cstddef>
#include <cstdint>
#include <string>

#include "host/device_profile_catalog.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  itc::v1::DeviceProfile profile;
  itc::v1::ConfigReport report;
  (void)itc::host::parse_device_profile(yaml, "fuzz-profile.yaml", &profile, &report);
  return 0;
}
