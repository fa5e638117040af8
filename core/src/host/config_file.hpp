// The node's config file: one YAML file per node.
//
//   node:                       # -> v1::NodeConfig, mapped by yaml_to_message
//     name: node-1
//     data_dir: ./data/node-1   # relative to the config file's directory
//     admin: {listen: 127.0.0.1:8740}
//     trusted_vendor_keys: ["<64 hex>", "keys/vendor.pub.pem"]
//     developer_mode: false
//   device_profiles:            # profile files or directories (see device_profile_catalog.hpp)
//     - ../deploy/profiles
//   plugins:
//     - name: sim-lighting
//       package: ../build/packages/sim-lighting.itcpkg   # or `library: x.so`
//       config: {lamps: 1000}
//
// Plugin `config:` sections are not mapped here: the Node maps each with the plugin's
// ConfigSchema once its library is loaded. They are kept as YAML nodes, with their marks.
// Whether `library:` is allowed (developer mode, from the file or --dev) is the Node's call.
//
// Thread safety: the functions are reentrant.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "host/config_schema.hpp"  // format_report, add_issue
#include "host/device_profile_catalog.hpp"
#include "itc/status.hpp"
#include "itc/v1/node.pb.h"

namespace itc::host {

// Defaults applied to the `node:` section when a field is absent or empty/zero.
inline constexpr const char* kDefaultNodeName = "itc-node";
inline constexpr const char* kDefaultDataDir = "./data";
inline constexpr const char* kDefaultAdminListen = "127.0.0.1:8740";
inline constexpr std::uint32_t kDefaultBusQueueCapacity = 8192;

// Longest accepted values of the node file's string fields (longer ones are an issue
// naming the field and the length; the value is not echoed). Plugin names: plugin_name.hpp.
inline constexpr std::size_t kMaxNodeNameLength = 64;
inline constexpr std::size_t kMaxListenLength = 262;  // "[" 255-char host "]:" 5-digit port
inline constexpr std::size_t kMaxPathLength = 4096;   // data_dir, key files, package/library

// One entry of `plugins:`.
struct PluginEntry {
  std::string name;
  std::string package;     // absolute path, or empty
  std::string library;     // absolute path, or empty (exactly one of the two is set)
  YAML::Node config;       // the `config:` section as written (null if absent)
  std::string field_path;  // "plugins[2]"
  int line = 0;            // 1-based line of the entry
};

struct NodeFile {
  std::string path;     // the file label given (or the path loaded)
  std::string dir;      // absolute directory paths were resolved against
  v1::NodeConfig node;  // defaults applied; data_dir and key file paths absolute
  std::vector<PluginEntry> plugins;
  // From `device_profiles:`, checked, sorted by name; protocol sections not yet bound.
  std::vector<ProfileDocument> profiles;
};

// Parses the text of a node file. `file_label` names it in issues; relative paths are
// resolved against `base_dir` (made absolute). Problems are appended to `report` (may be
// null): YAML syntax errors with their line, a root that is not a mapping, unknown or
// duplicate keys, wrong types (from yaml_to_message), an admin.listen that is not
// "host:port" or "off", a trusted key that is neither 64 hex digits nor an existing file,
// a plugin without a well-formed name (plugin_name.hpp), duplicate plugin names, both or
// neither of package/library, a string longer than its kMax*Length above. On any issue returns
// InvalidArgument whose message is format_report(report).
Result<NodeFile> parse_node_file(const std::string& yaml_text, const std::string& file_label,
                                 const std::string& base_dir, v1::ConfigReport* report);

// Reads `path` and parses it, resolving relative paths against the file's directory.
// NotFound (also recorded in `report`) if the file cannot be read.
Result<NodeFile> load_node_file(const std::string& path, v1::ConfigReport* report);

}  // namespace itc::host
