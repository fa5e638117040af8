// Test harness for plugin tests: loads the real plugin libraries (from ITC_PLUGIN_DIR)
// with the shared plugin loader (tests/common/plugin_loader.hpp) and drives them on an
// itc::testing::FakeEnv, the way the node would: initialise in order, start, then
// drain/stop in reverse.
//
// Teardown order matters: the FakeEnv keeps the plugins' bus handlers and timers, which
// are code inside the libraries, so it is destroyed after the plugins stop and before
// the plugin objects (and with the last of them, their libraries) go away.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "itc/plugin.hpp"
#include "itc/testing/fake_env.hpp"
#include "plugin_loader.hpp"

namespace itc::test {

// Protobuf wire encoding of config fields. The plugins' config messages are lite
// messages compiled into the plugins only, so tests spell the bytes out.
inline void append_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
inline std::string varint_field(std::uint32_t field, std::uint64_t value) {
  std::string out;
  append_varint(out, (static_cast<std::uint64_t>(field) << 3) | 0);
  append_varint(out, value);
  return out;
}
inline std::string bytes_field(std::uint32_t field, std::string_view bytes) {
  std::string out;
  append_varint(out, (static_cast<std::uint64_t>(field) << 3) | 2);
  append_varint(out, bytes.size());
  out.append(bytes);
  return out;
}

// A scratch directory removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "itc-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// A FakeEnv and the plugins running on it.
class PluginHost {
 public:
  explicit PluginHost(std::string node_name = "test-node")
      : env_(std::make_unique<testing::FakeEnv>(std::move(node_name))) {}
  ~PluginHost() { (void)shutdown(); }  // a test that cares calls shutdown() itself
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;

  testing::FakeEnv& env() { return *env_; }

  // Loads and initialises a plugin; it is started by start_all().
  Result<Plugin*> add(const std::string& library_file, const std::string& config = {}) {
    auto plugin = load(library_file);
    if (!plugin.ok()) return plugin.status();
    Status s = (*plugin)->initialise(*env_, config);
    if (!s.ok()) {
      plugins_.pop_back();
      return s;
    }
    return *plugin;
  }

  // Loads a plugin the test drives itself (e.g. a hot-swap successor); the host only
  // keeps it alive until the environment is gone and stops it at shutdown().
  Result<Plugin*> load(const std::string& library_file) {
    auto plugin = testing::load_plugin(library_file);
    if (!plugin.ok()) return plugin.status();
    plugins_.push_back(*plugin);
    return plugins_.back().get();
  }

  Status start_all() {
    for (auto& p : plugins_) ITC_RETURN_IF_ERROR(p->start());
    return Status::Ok();
  }

  // Drains (returning the first failure) and stops every plugin, last added first; then
  // releases the environment and the plugins. Idempotent. Every plugin must have been
  // initialised by then.
  Status shutdown() {
    Status first;
    for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
      if (stopped_.count(it->get())) continue;
      Status s = (*it)->drain();
      if (first.ok() && !s.ok()) first = s;
      (*it)->stop();
    }
    env_.reset();
    plugins_.clear();
    stopped_.clear();
    return first;
  }

  // Stops one plugin the way the host does after a hot swap handed its state on (no
  // further drain); shutdown() leaves it alone.
  void stop(Plugin* plugin) {
    plugin->stop();
    stopped_.insert(plugin);
  }

 private:
  std::unique_ptr<testing::FakeEnv> env_;
  std::vector<std::shared_ptr<Plugin>> plugins_;
  std::set<Plugin*> stopped_;
};

}  // namespace itc::test
