// Applying a new config file to a running node, as a sequence of hot swaps, loads and
// unloads.
#include <spdlog/spdlog.h>

#include <set>

#include "host/node_impl.hpp"

namespace itc::host {

namespace {

std::string dump(const YAML::Node& n) {
  if (!n || n.IsNull()) return "{}";
  YAML::Emitter out;
  out << YAML::Flow << n;
  return out.c_str();
}

std::string source_of(const PluginEntry& e) { return e.package.empty() ? e.library : e.package; }

}  // namespace

v1::ApplyResult Node::apply_config(const std::string& yaml_text, const std::string& file_label) {
  v1::ApplyResult result;
  std::vector<ProfilePtr> profiles;
  *result.mutable_report() = check_config(*impl_, yaml_text, file_label, &profiles);
  if (!result.report().ok()) {
    result.set_error("the config does not validate; nothing was changed");
    return result;
  }
  v1::ConfigReport ignored;
  auto next = parse_node_file(yaml_text, file_label, impl_->file.dir, &ignored);
  if (!next.ok()) {
    result.set_error(next.status().ToString());
    return result;
  }
  v1::NodeConfig current_node = impl_->file.node;
  v1::NodeConfig next_node = next->node;
  next_node.set_developer_mode(current_node.developer_mode());  // --dev is not in the file
  if (next_node.SerializeAsString() != current_node.SerializeAsString()) {
    result.set_error(
        "the node: section differs from the running node's; node name, data_dir, "
        "admin, trusted keys and queue size change only with a restart");
    return result;
  }

  impl_->profiles.replace(std::move(profiles));  // before plugins that read them are swapped
  auto fail = [&](const std::string& what, const Status& st) {
    result.set_error(what + ": " + st.ToString());
    spdlog::warn("config apply stopped at {}: {}", what, st.ToString());
    return result;
  };
  std::set<std::string> wanted;
  for (const auto& e : next->plugins) wanted.insert(e.name);
  for (const auto& p : plugins()) {  // removed plugins go first
    if (p.state() == v1::RUNNING && !wanted.count(p.name())) {
      if (Status st = unload(p.name()); !st.ok()) return fail("unload " + p.name(), st);
      result.add_actions("unloaded " + p.name());
    }
  }
  for (const auto& e : next->plugins) {
    PluginSlot* slot = impl_->plugins->find(e.name);
    bool running = slot && slot->state == v1::RUNNING;
    if (!running) {
      v1::LoadRequest req;
      req.set_name(e.name);
      req.set_package(source_of(e));
      req.set_config_yaml(dump(e.config));
      if (Status st = load(req); !st.ok()) return fail("load " + e.name, st);
      result.add_actions("loaded " + e.name);
      continue;
    }
    bool new_source = source_of(e) != source_of(slot->entry);
    bool new_config = dump(e.config) != dump(slot->entry.config);
    if (!new_source && !new_config) continue;
    v1::SwapRequest req;
    req.set_package(source_of(e));
    req.set_config_yaml(dump(e.config));
    if (Status st = swap(e.name, req); !st.ok()) return fail("swap " + e.name, st);
    result.add_actions("swapped " + e.name + (new_source ? " (new package)" : "") +
                       (new_config ? " (new config)" : ""));
  }
  {
    std::lock_guard lock(impl_->mu);
    impl_->file.plugins = next->plugins;
    impl_->file.profiles = next->profiles;
    impl_->config_text = yaml_text;
  }
  result.set_ok(true);
  spdlog::info("config applied: {} change(s)", result.actions_size());
  return result;
}

}  // namespace itc::host
