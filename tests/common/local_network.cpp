#include "local_network.hpp"

#include <google/protobuf/util/json_util.h>
#include <unistd.h>

#include <QJsonObject>
#include <algorithm>
#include <cstdlib>

#include "free_port.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/transactions.hpp"

namespace itc::testing {

LocalNetwork::LocalNetwork(NetworkOptions opt) : opt_(std::move(opt)) {
  if (!dir_.isValid()) qFatal("cannot create a temporary directory");
  if (std::getenv("ITC_TEST_KEEP")) {
    dir_.setAutoRemove(false);
    qInfo("network directory kept: %s", qPrintable(dir_.path()));
  }
  genesis_.set_chain_id("itc-test-" + std::to_string(::getpid()));
  genesis_.set_timestamp_us(1'700'000'000'000'000);
  genesis_.set_min_fee(opt_.min_fee);
  genesis_.set_allow_unsigned_anchors(opt_.allow_unsigned_anchors);
  for (int i = 0; i < opt_.validators; ++i) {
    auto key = crypto::Ed25519PrivateKey::generate();
    validator_keys_.push_back(*key);
    const std::string pem = path("validator-" + std::to_string(i) + ".pem");
    if (!key->save_pem_file(pem).ok()) qFatal("cannot write %s", pem.c_str());
    auto* v = genesis_.add_validators();
    v->set_name("validator-" + std::to_string(i));
    v->set_public_key(key->public_key());
    peer_ports_.push_back(free_port());
    admin_ports_.push_back(free_port());
    v->set_address("127.0.0.1:" + std::to_string(peer_ports_.back()));
  }
  for (int j = 0; j < opt_.accounts; ++j) {
    accounts_.push_back(*crypto::Ed25519PrivateKey::generate());
    auto* a = genesis_.add_allocations();
    a->set_account(accounts_.back().public_key());
    a->set_balance(opt_.balance);
  }
  if (opt_.genesis_extra) opt_.genesis_extra(genesis_);
  if (!write_file_atomically(path("genesis.json"), ledger::genesis_to_json(genesis_), 0644).ok()) {
    qFatal("cannot write genesis");
  }
  validators_ = *ledger::ValidatorSet::from_genesis(genesis_);
  for (int i = 0; i < opt_.validators; ++i) {
    nodes_.push_back(
        std::make_unique<NodeProcess>(dir_.path().toStdString(), "node-" + std::to_string(i)));
    nodes_.back()->write_config(config(i));
  }
}

LocalNetwork::~LocalNetwork() {
  for (auto& n : nodes_) n->stop();
}

NodeConfig LocalNetwork::config(int i) const {
  const std::string name = "validator-" + std::to_string(i);
  NodeConfig c(name, admin_ports_[at(i)]);
  c.data_dir("node-" + std::to_string(i));
  c.plugin("store-sqlite", opt_.store_config);
  c.plugin("pbft", "genesis_file: " + path("genesis.json") + ", identity_key_file: " +
                       path(name + ".pem") + ", view_change_timeout_ms: 1000" + opt_.pbft_extra +
                       (opt_.pbft_extra_of.count(i) ? opt_.pbft_extra_of.at(i) : ""));
  if (opt_.lamps > 0) {
    c.plugin("sim-lighting",
             "lamps: " + std::to_string(opt_.lamps) + ", report_interval_ms: 500, fleet_seed: " +
                 name + ", id_prefix: v" + std::to_string(i) +
                 "-lamp-, owner_public_key: " + crypto::to_hex(account(0).public_key()) +
                 (opt_.lamps_verify_chain ? ", genesis_file: " + path("genesis.json") : ""));
    c.plugin("normalize");
    c.plugin("control");
  }
  return c;
}

void LocalNetwork::start(int i) {
  if (!node(i).start()) qFatal("itc-node %d did not start", i);
}

void LocalNetwork::start_all() {
  for (int i = 0; i < opt_.validators; ++i) {
    if (!is_byzantine(i)) start(i);
  }
  for (int i = 0; i < opt_.validators; ++i) {
    if (!is_byzantine(i) && !wait_healthy(i))
      qFatal("validator %d never became healthy:\n%s", i, qPrintable(log_of(i)));
  }
}

bool LocalNetwork::is_byzantine(int i) const {
  return std::find(opt_.byzantine.begin(), opt_.byzantine.end(), i) != opt_.byzantine.end();
}

v1::Transaction LocalNetwork::transfer(int from, int to, std::uint64_t amount, std::uint64_t nonce,
                                       std::uint64_t fee) const {
  v1::Transaction tx;
  tx.set_nonce(nonce);
  tx.set_fee(fee);
  tx.mutable_transfer()->set_to(account(to).public_key());
  tx.mutable_transfer()->set_amount(amount);
  ledger::sign_tx(genesis_.chain_id(), &tx, account(from));
  return tx;
}

v1::Transaction LocalNetwork::signed_by(int from, v1::Transaction tx) const {
  ledger::sign_tx(genesis_.chain_id(), &tx, account(from));
  return tx;
}

HttpReply LocalNetwork::submit(int node, const v1::Transaction& tx) {
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(tx, &json);
  return request(node, "POST", "/v1/tx", QByteArray::fromStdString(json));
}

std::optional<std::uint64_t> LocalNetwork::height(int i) {
  auto r = get(i, "/v1/ledger/head");
  if (r.status != 200) return std::nullopt;
  return r.json["header"].toObject()["height"].toString().toULongLong();
}

std::optional<v1::Block> LocalNetwork::block(int i, std::uint64_t h) {
  auto r = get(i, QString("/v1/ledger/blocks/%1").arg(h));
  if (r.status != 200) return std::nullopt;
  v1::Block b;
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(r.body.toStdString(), &b, o).ok())
    return std::nullopt;
  return b;
}

}  // namespace itc::testing
