// PluginLibrary: one loaded copy of a plugin's shared library. Each load copies the file
// to a unique path first (glibc would otherwise hand back an already-mapped build), reads
// and checks the ABI record before calling anything, and counts the plugin objects it
// created: the library is closed only when the last one is destroyed.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "itc/abi.hpp"
#include "itc/plugin.hpp"
#include "itc/status.hpp"

namespace itc::host {

// A copy of the info record, safe to keep after the library is closed.
struct PluginInfo {
  std::uint32_t abi_major = 0;
  std::uint32_t abi_minor = 0;
  std::string name;
  std::string version;
  std::string layer;
  std::string config_type;
  std::vector<std::string> provides;
  std::vector<std::string> requires_;
  std::string config_descriptor;  // serialized FileDescriptorSet, may be empty
};

// Checks an info record against the host's ABI: major equal, minor <= host's, struct
// size large enough, the build facts (check_build), layer known, name well-formed.
// Incompatible/InvalidArgument naming what was wrong otherwise.
Status check_abi(const itc_plugin_info& info, const std::string& path);

// From ABI 1.1, the record states how the plugin was built; each fact must equal the
// host's: the protobuf release (GOOGLE_PROTOBUF_VERSION), the compiler family/major and
// C++ library ABI (ITC_ABI_TOOLCHAIN) and the libitc-schemas version. Incompatible naming
// the first that differs, both values, and what to rebuild with. An ABI 1.0 record
// states none and passes.
Status check_build(const itc_plugin_info& info, const std::string& path);

// The two halves of check_abi() that need no loaded library, also applied to a package's
// signed manifest before its library is opened: the ABI version (major equal, minor <=
// host's), and the identity (name per plugin_name.hpp, layer known, version not empty).
Status check_abi_version(std::uint32_t major, std::uint32_t minor, const std::string& who);
Status check_identity(std::string_view name, std::string_view version, std::string_view layer,
                      const std::string& who);

class PluginLibrary : public std::enable_shared_from_this<PluginLibrary> {
 public:
  // Copies `path` into `run_dir` under a unique name, loads it and checks its ABI. Loading
  // runs the library's ELF constructors (dlopen): open only what the node's policy has
  // accepted already (open_plugin checks a package's signed manifest first).
  static Result<std::shared_ptr<PluginLibrary>> open(const std::string& path,
                                                     const std::string& run_dir);
  ~PluginLibrary();

  const PluginInfo& info() const { return info_; }
  const std::string& source_path() const { return source_path_; }

  // A new plugin object; the library stays open while it lives.
  Result<std::shared_ptr<Plugin>> create();
  int live_objects() const { return live_.load(); }

 private:
  PluginLibrary() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  PluginInfo info_;
  std::string source_path_;
  std::atomic<int> live_{0};
};

// Reads a library's info record (loading a unique copy, then closing it). For `itc plugin
// pack` and for discovery.
Result<PluginInfo> inspect_library(const std::string& path, const std::string& run_dir);

std::vector<std::string> split_list(std::string_view comma_separated);

}  // namespace itc::host
