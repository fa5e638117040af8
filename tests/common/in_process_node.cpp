#include "in_process_node.hpp"

#include <fstream>

#include "host/metrics_registry.hpp"

namespace itc::testing {

Status InProcessNode::create(const std::string& yaml, bool developer_mode) {
  if (!dir.isValid()) return Status::Internal("no temporary directory");
  std::ofstream(config_path()) << yaml;
  auto n = host::Node::create({config_path(), developer_mode});
  if (!n.ok()) return n.status();
  node = std::move(*n);
  return Status::Ok();
}

Status InProcessNode::serve_admin(std::string token) {
  if (token.empty()) {
    auto own = host::load_or_create_admin_token(node->data_dir());
    if (!own.ok()) return own.status();
    token = *own;
  }
  token_ = std::move(token);
  server = std::make_unique<host::AdminServer>(*node, "127.0.0.1:0", token_);
  ITC_RETURN_IF_ERROR(server->start());
  url_ = "http://127.0.0.1:" + std::to_string(server->port());
  return Status::Ok();
}

void InProcessNode::stop() {
  if (server) server->stop();
  if (node) (void)node->shutdown();  // a loss is logged; tests that care call shutdown()
}

v1::PluginStatus InProcessNode::plugin(const std::string& name) const {
  for (auto& p : node->plugins())
    if (p.name() == name) return p;
  return {};
}

double InProcessNode::metric(const std::string& plugin, const std::string& name) const {
  return node->metrics().value_of(plugin, name).value_or(-1);
}

}  // namespace itc::testing
