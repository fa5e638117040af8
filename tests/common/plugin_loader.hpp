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

// A fresh Ed25519 key; aborts the test run if OpenSSL cannot make one.
crypto::Ed25519PrivateKey new_key();

}  // namespace itc::testing
