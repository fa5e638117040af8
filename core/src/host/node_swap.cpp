// Hot swap (the steps are in hot_swap.cpp), load and unload of single plugins on a running
// node, and validation of a config text against the node.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "host/hot_swap.hpp"
#include "host/node_impl.hpp"
#include "host/plugin_name.hpp"

namespace itc::host {
namespace fs = std::filesystem;

// Reads an optional YAML config section given as text (admin API requests).
Result<YAML::Node> parse_config_section(const std::string& text, const std::string& label) {
  if (text.empty()) return YAML::Node();
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(label + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Status Node::swap(const std::string& name, const v1::SwapRequest& request) {
  std::lock_guard ops(impl_->ops_mu);
  HotSwap swap(*impl_, name, request);
  ITC_RETURN_IF_ERROR(swap.prepare());
  // From here the plugin's messages are held until commit or roll back.
  if (Status st = swap.quiesce(); !st.ok()) return swap.roll_back(st);
  if (Status st = swap.transfer_state(); !st.ok()) return swap.roll_back(st);
  if (Status st = swap.start_successor(); !st.ok()) return swap.roll_back(st);
  swap.commit();
  return Status::Ok();
}

Status Node::load(const v1::LoadRequest& request) {
  Impl& d = *impl_;
  std::lock_guard ops(d.ops_mu);
  // The name becomes file names under the data dir: checked before anything else.
  ITC_RETURN_IF_ERROR(check_plugin_name(request.name(), "load: name"));
  PluginEntry entry;
  entry.name = request.name();
  fs::path p(request.package());
  (p.extension() == ".itcpkg" ? entry.package : entry.library) = request.package();
  entry.field_path = "load(" + request.name() + ")";
  auto cfg = parse_config_section(request.config_yaml(), "load request config");
  if (!cfg.ok()) return cfg.status();
  entry.config = *cfg;
  return d.plugins->load(std::move(entry));
}

Status Node::unload(const std::string& name) {
  Impl& d = *impl_;
  std::lock_guard ops(d.ops_mu);
  return d.plugins->unload(name);
}

v1::ConfigReport Node::validate_config(const std::string& yaml_text,
                                       const std::string& file_label) const {
  return check_config(*impl_, yaml_text, file_label, nullptr);
}

v1::ConfigReport Node::check_config(const Impl& d, const std::string& yaml_text,
                                    const std::string& file_label,
                                    std::vector<ProfilePtr>* profiles) {
  v1::ConfigReport report;
  auto file = parse_node_file(yaml_text, file_label, d.file.dir, &report);
  if (!file.ok()) {
    report.set_ok(false);
    return report;
  }
  ProfileSections sections;
  // Security settings come from the node's own configuration only: the text being
  // validated may ask for developer mode or other vendor keys, but what is loaded here
  // is what this node would load. Asking for more is an issue (apply needs a restart).
  const v1::NodeConfig& own = d.file.node;
  const bool dev = own.developer_mode();
  if (file->node.developer_mode() && !dev) {
    v1::ConfigIssue* issue = report.add_issues();
    issue->set_file(file_label);
    issue->set_field("node.developer_mode");
    issue->set_message(
        "this node runs without developer mode; it changes only with the node's own config "
        "file (or --dev) and a restart, and unsigned libraries are not loaded to validate");
  }
  const auto& own_keys = own.trusted_vendor_keys();
  for (int i = 0; i < file->node.trusted_vendor_keys_size(); ++i) {
    const std::string& key = file->node.trusted_vendor_keys(i);
    if (std::find(own_keys.begin(), own_keys.end(), key) != own_keys.end()) continue;
    v1::ConfigIssue* issue = report.add_issues();
    issue->set_file(file_label);
    issue->set_field("node.trusted_vendor_keys[" + std::to_string(i) + "]");
    issue->set_message(
        "this node does not trust this key (it is not in the node's own trusted_vendor_keys); "
        "trusted keys change only with the node's own config file and a restart, and "
        "packages are checked against the node's keys");
  }
  for (const auto& entry : file->plugins) {
    auto opened = open_plugin(entry, dev, d.trusted_keys, d.run_dir);
    if (!opened.ok()) {
      v1::ConfigIssue* issue = report.add_issues();
      issue->set_file(file_label);
      issue->set_line(static_cast<std::uint32_t>(entry.line));
      issue->set_field(entry.field_path);
      issue->set_message(opened.status().message());
      continue;
    }
    if (Status st = sections.add(entry.name, opened->library->info().config_descriptor); !st.ok()) {
      add_issue(&report, file_label, YAML::Mark::null_mark(), entry.field_path, st.message());
    }
    auto config = parse_plugin_config(opened->library->info(), entry, file_label, &report);
    if (!config.ok()) continue;
    auto instance = opened->library->create();
    if (!instance.ok()) continue;
    Status st = (*instance)->validate_config(*config);
    if (!st.ok()) *report.add_issues() = locate_plugin_error(entry, file_label, st);
  }
  auto bound = bind_profile_sections(file->profiles, sections, &report);
  report.set_ok(report.issues_size() == 0);
  if (report.ok() && profiles != nullptr) *profiles = std::move(bound);
  return report;
}

}  // namespace itc::host
