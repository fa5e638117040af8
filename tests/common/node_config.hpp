// NodeConfig: an itc-node config file as an operator writes it, built by a test: the node
// section (name, data dir, admin port, the build's vendor key, the shipped device profiles)
// and the plugins, each loaded from its signed package in ITC_PACKAGE_DIR.
#pragma once

#include <cstdint>
#include <string>

namespace itc::testing {

// The environment variable `name`, or `fallback` when it is unset.
std::string env_or(const char* name, const std::string& fallback = "");
// ITC_PACKAGE_DIR/<plugin>.itcpkg: the build's signed package of an in-tree plugin.
std::string package_path(const std::string& plugin);

class NodeConfig {
 public:
  NodeConfig(std::string name, std::uint16_t admin_port);

  // The data directory, relative to the config file. Default: "data".
  NodeConfig& data_dir(std::string dir);
  // A plugin from its signed package; `flow_config` is its config section as YAML flow-map
  // entries without braces ("lamps: 4, fleet_seed: a"); empty: no config section.
  NodeConfig& plugin(const std::string& name, const std::string& flow_config = "");
  // More of the node section, as YAML lines indented by two ("  disk: {off: true}\n").
  NodeConfig& node_yaml(const std::string& lines);
  // A plugin entry the caller writes whole ("  - name: x\n    package: ...\n    config:\n...").
  NodeConfig& plugin_yaml(const std::string& entry);

  std::string yaml() const;
  const std::string& data_dir() const { return data_dir_; }
  std::uint16_t admin_port() const { return admin_port_; }
  int plugin_count() const { return plugins_; }

 private:
  std::string name_;
  std::uint16_t admin_port_;
  std::string data_dir_ = "data";
  std::string node_extra_;
  std::string plugin_entries_;
  int plugins_ = 0;
};

}  // namespace itc::testing
