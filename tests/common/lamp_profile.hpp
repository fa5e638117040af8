// The shipped device profiles (deploy/profiles: dimmable-lamp, energy-meter,
// occupancy-sensor) for tests and benchmarks: the node-config lines that load them, and
// one of them parsed and checked exactly as the host does.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "host/config_schema.hpp"
#include "host/device_profile_catalog.hpp"

namespace itc::testing {

inline std::string source_dir() {
  const char* env = std::getenv("ITC_SOURCE_DIR");
  return env != nullptr && *env != '\0' ? env : ITC_TEST_SOURCE_DIR;
}

inline std::string shipped_profiles_dir() { return source_dir() + "/deploy/profiles"; }

// A top-level node-config entry loading every shipped profile.
inline std::string device_profiles_yaml() {
  return "device_profiles: [\"" + shipped_profiles_dir() + "\"]\n";
}

// deploy/profiles/<name>.yaml, parsed and checked; throws if it does not load.
inline v1::DeviceProfile shipped_profile(const std::string& name) {
  const std::string path = shipped_profiles_dir() + "/" + name + ".yaml";
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  v1::DeviceProfile profile;
  v1::ConfigReport report;
  if (!in || !host::parse_device_profile(text.str(), path, &profile, &report)) {
    throw std::runtime_error("cannot load " + path + ": " + host::format_report(report));
  }
  return profile;
}

}  // namespace itc::testing
