#include "host/config_check.hpp"

#include "host/config_file.hpp"
#include "host/node.hpp"

namespace itc::host {

v1::ConfigReport check_config_file(const std::string& path, bool developer_mode) {
  v1::ConfigReport report;
  report.set_ok(true);
  if (!load_node_file(path, &report).ok()) return report;  // issues with their lines
  auto node = Node::create({path, developer_mode});
  if (!node.ok()) {
    add_issue(&report, path, YAML::Mark::null_mark(), "", node.status().message());
    return report;
  }
  return (*node)->validate_config((*node)->config_text().yaml(), path);
}

}  // namespace itc::host
