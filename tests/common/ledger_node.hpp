// LedgerNode: a real node serving a main-chain ledger over its admin API — an
// InProcessNode running store-sqlite from its signed package behind an AdminServer, and
// certified blocks (transactions, state delta, quorum certificate) appended through the
// plugin's own LedgerStore service, as the PBFT plugin appends them.
#pragma once

#include <string>

#include "in_process_node.hpp"
#include "itc/services/ledger_store.hpp"
#include "node_config.hpp"

namespace itc::testing {

class LedgerNode {
 public:
  // Starts the node and its admin server; the status names what failed.
  Status start() {
    const std::string yaml = "node:\n  name: ledger-node\n  data_dir: " + node_.data_dir() +
                             "\n  admin: {listen: \"127.0.0.1:0\"}\n  trusted_vendor_keys: [" +
                             env_or("ITC_VENDOR_KEY") + "]\nplugins:\n  - name: store-sqlite\n" +
                             "    package: " + package_path("store-sqlite") + "\n";
    ITC_RETURN_IF_ERROR(node_.create(yaml, false));
    ITC_RETURN_IF_ERROR(node_.start());
    ITC_RETURN_IF_ERROR(node_.serve_admin());
    if (!store()) return Status::NotFound("store-sqlite provides no LedgerStore");
    return Status::Ok();
  }
  void stop() { node_.stop(); }

  LedgerStore* store() const {
    return static_cast<LedgerStore*>(node_.node->find_service(LedgerStore::kServiceName));
  }
  std::string path(const std::string& name) const { return node_.path(name); }
  const std::string& url() const { return node_.url(); }
  const std::string& token() const { return node_.token(); }
  std::string token_file() const { return node_.token_file(); }

 private:
  InProcessNode node_;
};

}  // namespace itc::testing
