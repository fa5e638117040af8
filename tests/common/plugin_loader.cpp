#include "plugin_loader.hpp"

#include <QTemporaryDir>
#include <QtGlobal>
#include <cstdlib>
#include <stdexcept>

#include "host/config_schema.hpp"

namespace itc::testing {

std::string plugin_dir() {
  const char* dir = std::getenv("ITC_PLUGIN_DIR");
  return dir ? dir : "plugins-out";
}

Result<std::shared_ptr<host::PluginLibrary>> open_plugin_library(const std::string& file,
                                                                 const std::string& run_dir) {
  return host::PluginLibrary::open(plugin_dir() + "/" + file, run_dir);
}

Result<std::shared_ptr<Plugin>> load_plugin(const std::string& file) {
  static QTemporaryDir run_dir;
  auto lib = open_plugin_library(file, run_dir.path().toStdString());
  if (!lib.ok()) return lib.status();
  return (*lib)->create();
}

std::shared_ptr<host::PluginLibrary> load_plugin_library(const std::string& file,
                                                         const std::string& run_dir) {
  if (std::getenv("ITC_PLUGIN_DIR") == nullptr)
    throw std::runtime_error("ITC_PLUGIN_DIR is not set (run under ctest)");
  auto lib = open_plugin_library(file, run_dir);
  if (!lib.ok()) throw std::runtime_error(lib.status().ToString());
  return lib.value();
}

Status check_config_yaml(host::PluginLibrary& lib, Plugin& plugin, const std::string& yaml) {
  auto schema = host::ConfigSchema::create(lib.info().config_descriptor, lib.info().config_type);
  if (!schema.ok()) return schema.status();
  v1::ConfigReport report;
  YAML::Node root;
  if (!host::load_yaml(yaml, "plugin.yaml", &root, &report)) {
    return Status::InvalidArgument(host::format_report(report));
  }
  auto bytes = schema->parse(root, "plugin.yaml", "", &report);
  if (!bytes.ok()) return bytes.status();
  return plugin.validate_config(*bytes);
}

Status check_config_bytes(host::PluginLibrary& lib, Plugin& plugin, const std::string& bytes) {
  auto schema = host::ConfigSchema::create(lib.info().config_descriptor, lib.info().config_type);
  if (!schema.ok()) return schema.status();
  auto json = schema->to_json(bytes);
  if (!json.ok()) return json.status();
  return check_config_yaml(lib, plugin, *json);
}

std::shared_ptr<Plugin> create_plugin(host::PluginLibrary& lib) {
  auto p = lib.create();
  if (!p.ok()) throw std::runtime_error(p.status().ToString());
  return p.value();
}

crypto::Ed25519PrivateKey new_key() {
  auto k = crypto::Ed25519PrivateKey::generate();
  if (!k.ok()) qFatal("keygen: %s", k.status().ToString().c_str());
  return k.value();
}

}  // namespace itc::testing
