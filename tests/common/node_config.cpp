#include "node_config.hpp"

#include <cstdlib>

#include "lamp_profile.hpp"

namespace itc::testing {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

std::string package_path(const std::string& plugin) {
  return env_or("ITC_PACKAGE_DIR") + "/" + plugin + ".itcpkg";
}

NodeConfig::NodeConfig(std::string name, std::uint16_t admin_port)
    : name_(std::move(name)), admin_port_(admin_port) {}

NodeConfig& NodeConfig::data_dir(std::string dir) {
  data_dir_ = std::move(dir);
  return *this;
}

NodeConfig& NodeConfig::plugin(const std::string& name, const std::string& flow_config) {
  std::string entry = "  - name: " + name + "\n    package: " + package_path(name) + "\n";
  if (!flow_config.empty()) entry += "    config: {" + flow_config + "}\n";
  return plugin_yaml(entry);
}

NodeConfig& NodeConfig::node_yaml(const std::string& lines) {
  node_extra_ += lines;
  return *this;
}

NodeConfig& NodeConfig::plugin_yaml(const std::string& entry) {
  plugin_entries_ += entry;
  ++plugins_;
  return *this;
}

std::string NodeConfig::yaml() const {
  return "node:\n  name: " + name_ + "\n  data_dir: " + data_dir_ +
         "\n  admin: {listen: 127.0.0.1:" + std::to_string(admin_port_) +
         "}\n  trusted_vendor_keys: [" + env_or("ITC_VENDOR_KEY") + "]\n" + node_extra_ +
         device_profiles_yaml() + "plugins:\n" + plugin_entries_;
}

}  // namespace itc::testing
