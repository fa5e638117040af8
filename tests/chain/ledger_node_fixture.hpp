// A real node serving a main-chain ledger over its admin API: store-sqlite loaded from its
// signed package, an AdminServer on a loopback port, and certified blocks (transactions,
// state delta, quorum certificate) appended through the plugin's own LedgerStore service,
// as the PBFT plugin appends them.
#pragma once

#include <QTemporaryDir>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "chain_fixture.hpp"
#include "host/admin_server.hpp"
#include "host/node.hpp"
#include "itc/services/ledger_store.hpp"

namespace itc::test {

class LedgerNode {
 public:
  // Starts the node; the status names what failed.
  Status start() {
    if (!dir_.isValid()) return Status::Internal("no temporary directory");
    const std::string cfg = path("node.yaml");
    std::ofstream(cfg) << "node:\n  name: ledger-node\n  data_dir: " << path("data")
                       << "\n  admin: {listen: \"127.0.0.1:0\"}\n  trusted_vendor_keys: ["
                       << env("ITC_VENDOR_KEY") << "]\nplugins:\n  - name: store-sqlite\n"
                       << "    package: " << env("ITC_PACKAGE_DIR") << "/store-sqlite.itcpkg\n";
    auto node = host::Node::create({cfg, false});
    if (!node.ok()) return node.status();
    node_ = std::move(node).value();
    ITC_RETURN_IF_ERROR(node_->start());
    auto token = host::load_or_create_admin_token(node_->data_dir());
    if (!token.ok()) return token.status();
    token_ = *token;
    token_file_ = node_->data_dir() + "/admin.token";
    server_ = std::make_unique<host::AdminServer>(*node_, "127.0.0.1:0", token_);
    ITC_RETURN_IF_ERROR(server_->start());
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
    if (!store()) return Status::NotFound("store-sqlite provides no LedgerStore");
    return Status::Ok();
  }

  void stop() {
    if (server_) server_->stop();
    if (node_) node_->shutdown();
  }
  ~LedgerNode() { stop(); }

  LedgerStore* store() const {
    return static_cast<LedgerStore*>(node_->find_service(LedgerStore::kServiceName));
  }
  std::string path(const std::string& name) const {
    return dir_.filePath(name.c_str()).toStdString();
  }
  const std::string& url() const { return url_; }
  const std::string& token() const { return token_; }
  const std::string& token_file() const { return token_file_; }

 private:
  static std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
  }
  QTemporaryDir dir_;
  std::unique_ptr<host::Node> node_;
  std::unique_ptr<host::AdminServer> server_;
  std::string token_;
  std::string token_file_;
  std::string url_;
};

}  // namespace itc::test
