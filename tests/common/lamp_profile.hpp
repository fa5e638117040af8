// The shipped device profiles (deploy/profiles: dimmable-lamp, energy-meter,
// occupancy-sensor) for tests and benchmarks: the node-config lines that load them, and
// one of them parsed and checked exactly as the host does (with the protocol sections of
// the connection plugins a test names).
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/config_schema.hpp"
#include "host/device_profile_catalog.hpp"
#include "host/plugin_library.hpp"

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

// `yaml` (a profile document named `file`) as a node whose plugins are `readers` sees
// it: parsed and checked, each protocol section that one of them reads mapped with its
// schema (plugins/connection/*: "mqtt", "sparkplug", "modbus"). Issues go to `report`.
inline bool parse_profile_for(const std::string& yaml, const std::string& file,
                              const std::vector<const host::PluginLibrary*>& readers,
                              v1::DeviceProfile* out, v1::ConfigReport* report) {
  host::ProfileDocument doc;
  if (!host::parse_profile_document(yaml, file, &doc, report)) return false;
  host::ProfileSections sections;
  for (const host::PluginLibrary* reader : readers) {
    Status st = sections.add(reader->info().name, reader->info().config_descriptor);
    if (!st.ok()) {
      host::add_issue(report, file, YAML::Mark::null_mark(), "", st.message());
      return false;
    }
  }
  const int before = report->issues_size();
  *out = *host::bind_profile_sections({doc}, sections, report).front();
  return report->issues_size() == before;
}

// deploy/profiles/<name>.yaml, parsed and checked, with the protocol sections `readers`
// read; throws if it does not load.
inline v1::DeviceProfile shipped_profile(
    const std::string& name, const std::vector<const host::PluginLibrary*>& readers = {}) {
  const std::string path = shipped_profiles_dir() + "/" + name + ".yaml";
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  v1::DeviceProfile profile;
  v1::ConfigReport report;
  if (!in || !parse_profile_for(text.str(), path, readers, &profile, &report)) {
    throw std::runtime_error("cannot load " + path + ": " + host::format_report(report));
  }
  return profile;
}

}  // namespace itc::testing
