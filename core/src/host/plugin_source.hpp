// Turning a configured plugin entry into a loaded library and a parsed config: package
// verification (or the developer-mode unsigned path), the manifest-vs-library check, and
// the mapping of the plugin's YAML section onto its config message.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "host/config_file.hpp"
#include "host/plugin_library.hpp"

namespace itc::host {

struct OpenedPlugin {
  std::shared_ptr<PluginLibrary> library;
  std::string signed_by;  // hex vendor key, or "unsigned (developer mode)"
  std::string source;     // the package or library path
};

// Opens the package (verified against `trusted_keys`) or, only in developer mode, the
// unsigned library of `entry`. Checks that the plugin's name is the entry's name. Before
// any file is touched the entry's name must be a plugin name; before a package's library
// is opened (which runs its ELF constructors) its signature, trust, digest, manifest ABI
// and manifest name are checked; after, its info record must equal the manifest.
Result<OpenedPlugin> open_plugin(const PluginEntry& entry, bool developer_mode,
                                 const std::vector<std::string>& trusted_keys,
                                 const std::string& run_dir);

// Maps `entry.config` onto the plugin's config message; issues go to `report`.
Result<std::string> parse_plugin_config(const PluginInfo& info, const PluginEntry& entry,
                                        const std::string& file, v1::ConfigReport* report);

// Turns a plugin's "field: message" InvalidArgument into a located issue when the field
// exists in the entry's config; otherwise an issue at the entry itself.
v1::ConfigIssue locate_plugin_error(const PluginEntry& entry, const std::string& file,
                                    const Status& status);

}  // namespace itc::host
