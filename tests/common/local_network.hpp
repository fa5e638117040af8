// LocalNetwork: n real itc-node processes (NodeProcess) on loopback, each a PBFT validator
// with its own key, data directory, peer port and admin port, loading the signed pbft and
// store-sqlite packages. Tests drive them through the admin API like an operator would, and
// kill, freeze and restart them like a bad day would. Not thread-safe (the test's thread).
#pragma once

#include <google/protobuf/util/json_util.h>

#include <QString>
#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

// What tests of a LocalNetwork use beside it: waiting, ports, transactions, profiles.
#include "eventually.hpp"
#include "free_port.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/transactions.hpp"
#include "itc/ledger/validators.hpp"
#include "lamp_profile.hpp"
#include "node_process.hpp"

namespace itc::testing {

struct NetworkOptions {
  int validators = 4;
  int accounts = 4;  // funded accounts
  std::uint64_t balance = 1'000'000;
  std::uint64_t min_fee = 1;
  bool allow_unsigned_anchors = false;
  std::vector<int> byzantine;  // validator indexes the test plays itself (no process)
  std::string pbft_extra;      // appended to each pbft config (YAML flow entries)
  std::string store_config;    // each store-sqlite config (YAML flow entries; "": none)
  int lamps = 0;               // simulated lamps per validator (0: none)
  // The lamps verify commands against the chain themselves (sim-lighting verify: chain,
  // trusting the network's genesis); false: against their configured owner key.
  bool lamps_verify_chain = false;
  // Adds to the genesis before it is written (devices, more allocations).
  std::function<void(v1::Genesis&)> genesis_extra;
  // Appended to one validator's pbft config, after pbft_extra (e.g. its listen_address).
  std::map<int, std::string> pbft_extra_of;
};

class LocalNetwork {
 public:
  explicit LocalNetwork(NetworkOptions opt);
  ~LocalNetwork();  // stops every validator

  std::string path(const std::string& name) const { return dir_.path().toStdString() + "/" + name; }
  const v1::Genesis& genesis() const { return genesis_; }
  const ledger::ValidatorSet& validators() const { return validators_; }
  const crypto::Ed25519PrivateKey& account(int j) const { return accounts_[at(j)]; }
  const crypto::Ed25519PrivateKey& validator_key(int i) const { return validator_keys_[at(i)]; }
  std::uint16_t peer_port(int i) const { return peer_ports_[at(i)]; }
  std::uint16_t admin_port(int i) const { return node(i).admin_port(); }
  std::string token(int i) const { return node(i).token(); }
  QString log_of(int i) const { return node(i).log(); }
  NodeProcess& node(int i) { return *nodes_[at(i)]; }
  const NodeProcess& node(int i) const { return *nodes_[at(i)]; }

  void start(int i);
  // Starts every validator the network runs and waits until each is healthy.
  void start_all();
  // Every plugin of validator i is running.
  bool wait_healthy(int i, int ms = 30000) { return node(i).wait_running(ms); }
  void kill(int i) { node(i).kill(); }  // SIGKILL: no clean shutdown at all
  void stop(int i) { node(i).stop(); }
  // SIGTERM (a clean stop): the exit code, or -1 if it did not exit within 60 s.
  int terminate(int i) { return node(i).terminate(60000); }
  qint64 pid(int i) const { return node(i).pid(); }
  void freeze(int i) { node(i).freeze(); }
  void thaw(int i) { node(i).thaw(); }
  bool running(int i) const { return node(i).running(); }

  HttpReply request(int i, const QString& method, const QString& path_and_query,
                    const QByteArray& body = {}, int timeout_ms = 40000) {
    return node(i).request(method, path_and_query, body, timeout_ms);
  }
  HttpReply get(int i, const QString& p) { return request(i, "GET", p); }

  // A signed transfer of `amount` from account `from` to account `to`.
  v1::Transaction transfer(int from, int to, std::uint64_t amount, std::uint64_t nonce,
                           std::uint64_t fee = 1) const;
  // A signed transaction from account `from` (sender and signature set here).
  v1::Transaction signed_by(int from, v1::Transaction tx) const;
  HttpReply submit(int node, const v1::Transaction& tx);

  std::optional<std::uint64_t> height(int i);
  // The block at `height` as stored by validator i (nullopt if it has none).
  std::optional<v1::Block> block(int i, std::uint64_t h);
  std::optional<double> metric(int i, const std::string& plugin, const std::string& name) {
    return node(i).metric(plugin, name);
  }

 private:
  static std::size_t at(int i) { return static_cast<std::size_t>(i); }
  bool is_byzantine(int i) const;
  NodeConfig config(int i) const;

  NetworkOptions opt_;
  QTemporaryDir dir_;
  v1::Genesis genesis_;
  ledger::ValidatorSet validators_;
  std::vector<crypto::Ed25519PrivateKey> validator_keys_;
  std::vector<crypto::Ed25519PrivateKey> accounts_;
  std::vector<std::uint16_t> peer_ports_;
  std::vector<std::uint16_t> admin_ports_;
  std::vector<std::unique_ptr<NodeProcess>> nodes_;
};

}  // namespace itc::testing
