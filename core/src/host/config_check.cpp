#include "host/config_check.hpp"

#include <string>
#include <utility>

#include "host/config_file.hpp"
#include "host/node.hpp"

namespace itc::host {

v1::ConfigReport check_config_file(const std::string& path, bool developer_mode) {
  v1::ConfigReport report;
  report.set_ok(true);
  if (!load_node_file(path, &report).ok()) return report;  // issues with their lines
  auto node = Node::create({path, developer_mode});
  if (!node.ok()) {
    std::string message = node.status().message();
    // Node::create names the file itself ("path: field: why"): once is enough.
    if (message.rfind(path + ": ", 0) == 0) message.erase(0, path.size() + 2);
    add_issue(&report, path, YAML::Mark::null_mark(), "", std::move(message));
    return report;
  }
  return (*node)->validate_config((*node)->config_text().yaml(), path);
}

}  // namespace itc::host
