// InProcessNode: the in-process node fixture — a real host::Node in the test's process,
// created from a config the test writes into a temporary directory, and optionally an
// AdminServer on a loopback port in front of it. Use it from one thread; the node runs its
// own threads (see host/node.hpp for what is thread-safe).
#pragma once

#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "host/admin_server.hpp"
#include "host/metrics_registry.hpp"
#include "host/node.hpp"

namespace itc::testing {

// ITC_TEST_PLUGIN_DIR/`file`: a host test plugin (tests/host/plugins) built for this tree.
#ifdef ITC_TEST_PLUGIN_DIR
inline std::string test_plugin(const std::string& file) {
  return std::string(ITC_TEST_PLUGIN_DIR) + "/" + file;
}
#endif

class InProcessNode {
 public:
  InProcessNode() = default;
  ~InProcessNode() { stop(); }
  InProcessNode(const InProcessNode&) = delete;
  InProcessNode& operator=(const InProcessNode&) = delete;

  // Writes `yaml` as node.yaml in the node's directory and creates the Node (not started).
  Status create(const std::string& yaml, bool developer_mode = true);
  Status start() { return node->start(); }
  // Serves the admin API on 127.0.0.1 (a free port) with `token`; an empty `token` is the
  // node's own (its data dir's admin.token, created if missing).
  Status serve_admin(std::string token = {});
  // Stops the admin server and shuts the node down. Idempotent.
  void stop();

  std::string path(const std::string& name) const {
    return dir.filePath(name.c_str()).toStdString();
  }
  std::string data_dir() const { return path("data"); }
  std::string config_path() const { return path("node.yaml"); }
  v1::PluginStatus plugin(const std::string& name) const;
  // The metric's value in the node's registry, or -1 if it has none.
  double metric(const std::string& plugin, const std::string& name) const;
  // The admin server's "http://127.0.0.1:<port>", its token and its token file.
  const std::string& url() const { return url_; }
  const std::string& token() const { return token_; }
  std::string token_file() const { return node->data_dir() + "/admin.token"; }

  QTemporaryDir dir;
  std::unique_ptr<host::Node> node;
  std::unique_ptr<host::AdminServer> server;

 private:
  std::string token_;
  std::string url_;
};

}  // namespace itc::testing
