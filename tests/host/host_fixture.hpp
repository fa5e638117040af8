// Helpers for tests that run a real Node in-process from a YAML config.
#pragma once

#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "host/metrics_registry.hpp"
#include "host/node.hpp"

namespace itc::testing {

inline std::string test_plugin(const std::string& file) {
  return std::string(ITC_TEST_PLUGIN_DIR) + "/" + file;
}

// Writes `yaml` as node.yaml in a fresh temp dir and creates a Node from it.
struct NodeUnderTest {
  QTemporaryDir dir;
  std::string config_path;
  std::unique_ptr<host::Node> node;

  Status create(const std::string& yaml, bool developer_mode = true) {
    config_path = dir.filePath("node.yaml").toStdString();
    std::ofstream(config_path) << yaml;
    auto n = host::Node::create({config_path, developer_mode});
    if (!n.ok()) return n.status();
    node = std::move(*n);
    return Status::Ok();
  }
  std::string data_dir() const { return dir.filePath("data").toStdString(); }
  v1::PluginStatus plugin(const std::string& name) const {
    for (auto& p : node->plugins())
      if (p.name() == name) return p;
    return {};
  }
  double metric(const std::string& plugin, const std::string& name) const {
    return node->metrics().value_of(plugin, name).value_or(-1);
  }
};

// Polls `cond` until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& cond,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

}  // namespace itc::testing
