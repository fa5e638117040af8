// The plugin loader of unit tests: an in-tree plugin's real .so (from ITC_PLUGIN_DIR, set by
// ctest) opened through the host's PluginLibrary, so tests exercise the exact library the
// node loads, driven by a FakeEnv. A plugin object keeps its library loaded; destroy every
// object a library made (and the FakeEnv holding its handlers) before the library.
#pragma once

#include <memory>
#include <string>

#include "host/plugin_library.hpp"
#include "itc/crypto.hpp"
#include "itc/plugin.hpp"

namespace itc::testing {

// ITC_PLUGIN_DIR; "plugins-out" when it is unset.
std::string plugin_dir();

// Opens plugin_dir()/`file` (e.g. "libitc-solo.so"), copied into `run_dir` to load it.
Result<std::shared_ptr<host::PluginLibrary>> open_plugin_library(const std::string& file,
                                                                 const std::string& run_dir);
// A new plugin from plugin_dir()/`file`, loaded from a run directory that lives as long as
// the test process.
Result<std::shared_ptr<Plugin>> load_plugin(const std::string& file);

// As open_plugin_library(), but throws std::runtime_error when it fails.
std::shared_ptr<host::PluginLibrary> load_plugin_library(const std::string& file,
                                                         const std::string& run_dir);
// A new plugin of `lib`; throws std::runtime_error when it cannot be made.
std::shared_ptr<Plugin> create_plugin(host::PluginLibrary& lib);

// What the node's config check says of `yaml`, a plugin section of `lib`: the host maps it
// onto the plugin's config message by its embedded schema (types and the declared
// (itc.v1.range) value ranges, as file:line issues), then the plugin's validate_config
// sees the bytes. Ok, or InvalidArgument with the first problem's text.
Status check_config_yaml(host::PluginLibrary& lib, Plugin& plugin, const std::string& yaml);
// As check_config_yaml() for a config built as a message in the test: its serialized
// bytes are written out as the YAML (JSON) an operator would have written, then checked.
Status check_config_bytes(host::PluginLibrary& lib, Plugin& plugin, const std::string& bytes);

// A fresh Ed25519 key; aborts the test run if OpenSSL cannot make one.
crypto::Ed25519PrivateKey new_key();

}  // namespace itc::testing
