// Device profiles: loading the YAML files a node config lists under `device_profiles:`
// into v1::DeviceProfile (checked beyond the schema: units of scale, ranges, Modbus
// addresses and data types, controls naming real metrics), and the host's
// DeviceProfiles service that serves them to plugins.
//
//   device_profiles:
//     - ../profiles                 # a directory: every *.yaml / *.yml in it, by name
//     - extra/my-meter.yaml         # or one file; paths relative to the config file
//
// Thread safety: load_device_profiles is reentrant; DeviceProfileCatalog may be used
// from any thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "itc/services/device_profiles.hpp"
#include "itc/v1/node.pb.h"

namespace itc::host {

using ProfilePtr = std::shared_ptr<const v1::DeviceProfile>;

// Loads the profiles named by the `device_profiles:` list `list` of the config `file`
// (paths resolved against `base_dir`). Every problem is added to `report` with the
// profile file's line and field (or the config file's, for a path that does not exist);
// returns the profiles that loaded cleanly, sorted by name.
std::vector<ProfilePtr> load_device_profiles(const YAML::Node& list, const std::string& file,
                                             const std::string& base_dir, v1::ConfigReport* report);

// Parses and checks one profile document; false (with issues in `report`) if it is not a
// valid profile.
bool parse_device_profile(const std::string& yaml_text, const std::string& file,
                          v1::DeviceProfile* out, v1::ConfigReport* report);

class DeviceProfileCatalog final : public DeviceProfiles {
 public:
  // Replaces the whole set (a config apply).
  void replace(std::vector<ProfilePtr> profiles);

  std::shared_ptr<const v1::DeviceProfile> find(std::string_view name) const override;
  std::vector<std::shared_ptr<const v1::DeviceProfile>> all() const override;
  std::uint64_t generation() const override { return generation_.load(); }

 private:
  mutable std::mutex mu_;
  std::map<std::string, ProfilePtr, std::less<>> by_name_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace itc::host
