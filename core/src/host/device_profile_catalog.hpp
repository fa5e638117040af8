// Device profiles: loading the YAML files a node config lists under `device_profiles:`
// into v1::DeviceProfile (checked beyond the schema: units of scale, ranges, controls
// naming real metrics), each metric's protocol sections mapped with the schema of the
// connection plugin that reads them, and the host's DeviceProfiles service that serves
// them to plugins.
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

#include "host/config_schema.hpp"
#include "itc/services/device_profiles.hpp"
#include "itc/v1/node.pb.h"

namespace itc::host {

using ProfilePtr = std::shared_ptr<const v1::DeviceProfile>;

// One profile file as loaded: the checked profile without its protocol sections, and
// those sections as written, until the plugins that read them are known.
struct ProfileDocument {
  struct Section {
    int metric = 0;    // index into profile->metrics
    std::string key;   // "modbus"
    std::string path;  // "metrics[2].modbus", for issues
    YAML::Node value;  // as written (keeps its document, and so its marks, alive)
  };
  std::string file;
  ProfilePtr profile;  // sources empty
  std::vector<Section> sections;
};

// Loads the profiles named by the `device_profiles:` list `list` of the config `file`
// (paths resolved against `base_dir`). Every problem is added to `report` with the
// profile file's line and field (or the config file's, for a path that does not exist);
// returns the profiles that loaded cleanly, sorted by name.
std::vector<ProfileDocument> load_device_profiles(const YAML::Node& list, const std::string& file,
                                                  const std::string& base_dir,
                                                  v1::ConfigReport* report);

// Parses and checks one profile document; false (with issues in `report`) if it is not a
// valid profile.
bool parse_profile_document(const std::string& yaml_text, const std::string& file,
                            ProfileDocument* out, v1::ConfigReport* report);
// As parse_profile_document, keeping only the profile (without protocol sections).
bool parse_device_profile(const std::string& yaml_text, const std::string& file,
                          v1::DeviceProfile* out, v1::ConfigReport* report);

// The protocol sections the node's plugins read in profiles' metrics: each key with the
// schema of the message the plugin declares for it ((itc.v1.profile_section) in its
// config proto).
class ProfileSections {
 public:
  // Adds the sections `plugin`'s descriptor set declares. InvalidArgument if another
  // plugin reads one of its keys as another message.
  Status add(const std::string& plugin, const std::string& descriptor_set);
  const ConfigSchema* find(const std::string& key) const;

 private:
  struct Reader {
    std::string plugin;
    ConfigSchema schema;
  };
  std::map<std::string, Reader> by_key_;
};

// The profiles, each section a plugin reads mapped onto that plugin's message and kept
// in MetricSpec.sources[key]. A section with issues (added to `report` with the profile
// file, line and field) is left out; sections no plugin reads are left out.
std::vector<ProfilePtr> bind_profile_sections(const std::vector<ProfileDocument>& docs,
                                              const ProfileSections& sections,
                                              v1::ConfigReport* report);

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
