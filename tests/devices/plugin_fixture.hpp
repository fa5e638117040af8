// Loads an in-tree plugin's real .so (from ITC_PLUGIN_DIR) through the host's loader, so
// the unit tests exercise the exact library the node loads, driven by a FakeEnv.
#pragma once

#include <QtGlobal>

#include "itc/crypto.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "host/plugin_library.hpp"

namespace itc::testing {

inline std::shared_ptr<host::PluginLibrary> load_plugin_library(const std::string& file,
                                                                const std::string& run_dir) {
  const char* dir = std::getenv("ITC_PLUGIN_DIR");
  if (dir == nullptr) throw std::runtime_error("ITC_PLUGIN_DIR is not set (run under ctest)");
  auto lib = host::PluginLibrary::open(std::string(dir) + "/" + file, run_dir);
  if (!lib.ok()) throw std::runtime_error(lib.status().ToString());
  return lib.value();
}

inline std::shared_ptr<Plugin> create_plugin(host::PluginLibrary& lib) {
  auto p = lib.create();
  if (!p.ok()) throw std::runtime_error(p.status().ToString());
  return p.value();
}

// A fresh Ed25519 key; aborts the test run if OpenSSL cannot make one.
inline crypto::Ed25519PrivateKey new_key() {
  auto k = crypto::Ed25519PrivateKey::generate();
  if (!k.ok()) qFatal("keygen: %s", k.status().ToString().c_str());
  return k.value();
}

}  // namespace itc::testing
