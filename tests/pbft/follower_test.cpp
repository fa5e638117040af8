// Full nodes (pbft `role: follower`) on a real network: four validators (LocalNetwork:
// itc-node processes, pbft with `dag: true` + store-sqlite) that accept two follower keys,
// a follower itc-node started after some blocks, an unlisted key that is refused, and a
// follower that sends votes from an in-process link (the validators drop and count them).
#include <QtTest>
#include <memory>
#include <mutex>

#include "envelope.hpp"
#include "issuer.hpp"
#include "itc/light/genesis_trust.hpp"
#include "itc/light/light_client.hpp"
#include "itc/p2p/peer_network.hpp"
#include "local_network.hpp"
#include "node_config.hpp"
#include "transaction.hpp"

using itc::testing::eventually;
using itc::testing::HttpReply;
using itc::testing::LocalNetwork;
using itc::testing::NetworkOptions;
using itc::testing::NodeConfig;
using itc::testing::NodeProcess;
namespace v1 = itc::v1;

namespace {

const std::uint8_t* bytes_of(const std::string& s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

class QtLogger final : public itc::Logger {
 public:
  void log(itc::LogLevel, std::string_view m) override {
    qDebug("rogue follower: %.*s", int(m.size()), m.data());
  }
};

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

QByteArray json_of(const google::protobuf::Message& msg) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(msg, &out);
  return QByteArray::fromStdString(out);
}

std::string follower_entry(const std::string& name, const itc::crypto::Ed25519PrivateKey& key,
                           std::uint16_t port) {
  return "{name: " + name + ", public_key: \"hex:" + itc::crypto::to_hex(key.public_key()) +
         "\", address: \"127.0.0.1:" + std::to_string(port) + "\"}";
}

}  // namespace

class FollowerTest : public QObject {
  Q_OBJECT

  std::unique_ptr<LocalNetwork> net_;
  std::unique_ptr<NodeProcess> follower_;
  std::unique_ptr<NodeProcess> stranger_;
  itc::crypto::Ed25519PrivateKey follower_key_ = *itc::crypto::Ed25519PrivateKey::generate();
  itc::crypto::Ed25519PrivateKey rogue_key_ = *itc::crypto::Ed25519PrivateKey::generate();
  itc::crypto::Ed25519PrivateKey stranger_key_ = *itc::crypto::Ed25519PrivateKey::generate();
  std::uint16_t follower_port_ = itc::testing::free_port();
  std::uint16_t rogue_port_ = itc::testing::free_port();
  std::uint64_t nonce_ = 0;
  std::string final_before_;  // a DAG reading made final while no follower ran
  itc::crypto::Ed25519PrivateKey lamp_key_ = *itc::crypto::Ed25519PrivateKey::generate();
  itc::dag::TransactionIssuer lamp_{lamp_key_, 12};

  // A reading of the lamp on the DAG, approving two tips `tips_of` gives.
  v1::DeviceTransaction lamp_reading(NodeProcess& tips_of, double watts) {
    const HttpReply r = tips_of.get("/v1/dag/tips?count=2");
    std::vector<std::string> parents;
    for (const auto& t : r.json["tips"].toArray()) {
      parents.push_back(QByteArray::fromBase64(t.toString().toLatin1()).toStdString());
    }
    v1::Reading reading;
    reading.set_device_id("lamp-0");
    reading.set_metric("power");
    reading.set_value(watts);
    reading.set_unit("W");
    reading.set_quality(v1::QUALITY_GOOD);
    reading.set_sampled_at_us(now_us());
    return lamp_.issue_readings({reading}, parents, now_us());
  }
  static QJsonObject dag_status(NodeProcess& node, const std::string& id) {
    return node.get(QString::fromStdString("/v1/dag/tx/" + itc::crypto::to_hex(id))).json;
  }

  // A node with role follower and `key`, listening on `port`.
  std::unique_ptr<NodeProcess> follower_node(const std::string& name,
                                             const itc::crypto::Ed25519PrivateKey& key,
                                             std::uint16_t port) {
    const std::string pem = net_->path(name + ".pem");
    if (!key.save_pem_file(pem).ok()) qFatal("cannot write %s", pem.c_str());
    auto node = std::make_unique<NodeProcess>(net_->path(""), name);
    NodeConfig c(name, itc::testing::free_port());
    c.data_dir(name + "-data");
    c.plugin("store-sqlite");
    c.plugin("pbft", "role: follower, genesis_file: " + net_->path("genesis.json") +
                         ", identity_key_file: " + pem +
                         ", dag: true, milestone_interval_ms: 50, listen_address: \"127.0.0.1:" +
                         std::to_string(port) + "\"");
    node->write_config(c);
    return node;
  }

  std::optional<std::uint64_t> follower_height() {
    const HttpReply r = follower_->get("/v1/ledger/head");
    if (r.status != 200) return std::nullopt;
    return r.json["header"].toObject()["height"].toString().toULongLong();
  }
  std::optional<v1::Block> follower_block(std::uint64_t h) {
    const HttpReply r = follower_->get(QString("/v1/ledger/blocks/%1").arg(h));
    if (r.status != 200) return std::nullopt;
    v1::Block b;
    google::protobuf::util::JsonParseOptions o;
    o.ignore_unknown_fields = true;
    if (!google::protobuf::util::JsonStringToMessage(r.body.toStdString(), &b, o).ok()) {
      return std::nullopt;
    }
    return b;
  }
  // A transfer of 5 from account 0 to account 1, committed at the height it returns.
  std::uint64_t commit_transfer_at(int validator) {
    const HttpReply r = net_->submit(validator, net_->transfer(0, 1, 5, ++nonce_));
    if (!r.json["committed"].toBool()) qFatal("transfer not committed: %s", r.body.data());
    return r.json["height"].toString().toULongLong();
  }

 private slots:
  void initTestCase() {
    NetworkOptions opt;
    opt.genesis_extra = [&](v1::Genesis& g) {
      auto* d = g.add_devices();
      d->set_device_id("lamp-0");
      d->set_profile("lamp");
      d->set_device_public_key(lamp_key_.public_key());
      d->set_owner(g.allocations(0).account());
    };
    opt.pbft_extra = ", dag: true, milestone_interval_ms: 50, followers: [" +
                     follower_entry("site-gateway", follower_key_, follower_port_) + ", " +
                     follower_entry("rogue", rogue_key_, rogue_port_) + "]";
    net_ = std::make_unique<LocalNetwork>(opt);
    net_->start_all();
    for (int i = 0; i < 3; ++i) commit_transfer_at(i);  // some blocks before the follower
  }

  void aFollowerStartedLateCatchesUpToTheSameHeadAndState() {
    follower_ = follower_node("follower", follower_key_, follower_port_);
    QVERIFY(follower_->start_running(30000));
    const std::uint64_t target = commit_transfer_at(1);
    QVERIFY2(eventually([&] { return follower_height().value_or(0) >= target; }, 30000),
             qPrintable(follower_->run_log()));
    const auto mine = follower_block(target);
    const auto theirs = net_->block(2, target);
    QVERIFY(mine && theirs);
    QCOMPARE(mine->hash(), theirs->hash());
    QCOMPARE(mine->header().state_root(), theirs->header().state_root());
    QVERIFY(follower_->run_log().contains("role follower"));
    QCOMPARE(follower_->metric("pbft", "follower").value_or(0), 1.0);
    QCOMPARE(follower_->metric("pbft", "validator_member").value_or(1), 0.0);
    QVERIFY(eventually(
        [&] { return net_->metric(0, "pbft", "followers_connected").value_or(0) >= 1.0; }));
  }

  void aTransactionSubmittedToTheFollowerCommitsEverywhere() {
    const v1::Transaction tx = net_->transfer(1, 2, 7, 1);
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(tx, &json);
    const HttpReply r =
        follower_->request("POST", "/v1/tx", QByteArray::fromStdString(json), 40000);
    QVERIFY2(r.json["committed"].toBool(), r.body.data());
    const std::uint64_t h = r.json["height"].toString().toULongLong();
    const auto mine = follower_block(h);
    QVERIFY(mine);
    for (int i = 0; i < 4; ++i) {
      QVERIFY(eventually([&] { return net_->height(i).value_or(0) >= h; }));
      const auto theirs = net_->block(i, h);
      QVERIFY(theirs);
      QCOMPARE(theirs->hash(), mine->hash());
    }
    // A transaction the chain refuses (nonce 1 again) is answered with the primary's reason.
    std::string stale;
    (void)google::protobuf::util::MessageToJsonString(net_->transfer(1, 2, 8, 1), &stale);
    const HttpReply again =
        follower_->request("POST", "/v1/tx", QByteArray::fromStdString(stale), 40000);
    QVERIFY2(!again.json["committed"].toBool(), again.body.data());
    QVERIFY2(!again.json["reason"].toString().isEmpty(), again.body.data());

    // The follower's proof of it verifies with libitc-light from the genesis alone.
    const std::string id = itc::crypto::to_hex(itc::ledger::tx_id(tx));
    const HttpReply proof = follower_->get(QString::fromStdString("/v1/proofs/tx/" + id));
    QCOMPARE(proof.status, 200);
    const std::string bytes = proof.body.toStdString();
    itc::light::State s{};
    QVERIFY(itc::light::trust_genesis(net_->genesis(), &s).ok());
    itc::light::Inclusion inc{};
    QCOMPARE(itc::light::verdict_name(
                 itc::light::verify_tx(&s, bytes_of(bytes), bytes.size(), &inc).verdict),
             "ok");
    QCOMPARE(inc.height, h);
  }

  // DAG gossip reaches the follower: a reading submitted to a validator is final there at
  // the same milestone, and its proof from the follower verifies from the genesis alone; a
  // reading submitted to the follower goes to the validators and is final there.
  void theDagIsFinalAndProvableAtTheFollower() {
    const v1::DeviceTransaction tx = lamp_reading(net_->node(0), 40);
    const std::string id = itc::dag::transaction_id(tx);
    HttpReply r = net_->request(0, "POST", "/v1/dag/tx", json_of(tx));
    QCOMPARE(r.json["outcome"].toString(), QString("admitted"));
    QVERIFY2(eventually([&] { return dag_status(*follower_, id)["state"] == "final"; }, 30000),
             qPrintable(follower_->run_log().right(3000)));
    QVERIFY(eventually([&] { return dag_status(net_->node(0), id)["state"] == "final"; }));
    QCOMPARE(dag_status(*follower_, id)["milestone"], dag_status(net_->node(0), id)["milestone"]);
    QCOMPARE(dag_status(*follower_, id)["height"], dag_status(net_->node(0), id)["height"]);

    const std::uint64_t at = dag_status(*follower_, id)["height"].toString().toULongLong();
    QVERIFY(eventually([&] { return follower_height().value_or(0) >= at; }));
    const HttpReply proof =
        follower_->get(QString::fromStdString("/v1/dag/tx/" + itc::crypto::to_hex(id) + "/proof"));
    QVERIFY2(proof.status == 200, proof.body.constData());
    const std::string bytes = proof.body.toStdString();
    itc::light::State s{};
    QVERIFY(itc::light::trust_genesis(net_->genesis(), &s).ok());
    itc::light::Inclusion where{};
    QCOMPARE(itc::light::verdict_name(
                 itc::light::verify_dag_tx(&s, bytes_of(bytes), bytes.size(), &where).verdict),
             "ok");
    QCOMPARE(std::string(reinterpret_cast<const char*>(where.leaf_id), 32), id);

    const v1::DeviceTransaction mine = lamp_reading(*follower_, 41);
    const std::string mine_id = itc::dag::transaction_id(mine);
    r = follower_->request("POST", "/v1/dag/tx", json_of(mine));
    QCOMPARE(r.json["outcome"].toString(), QString("admitted"));
    for (int i = 0; i < 4; ++i) {
      QVERIFY2(
          eventually([&] { return dag_status(net_->node(i), mine_id)["state"] == "final"; }, 30000),
          qPrintable(QString("validator %1").arg(i)));
    }
    QVERIFY(eventually([&] { return dag_status(*follower_, mine_id)["state"] == "final"; }));
  }

  void aKeyNotInFollowersIsRefusedNamingIt() {
    stranger_ = follower_node("stranger", stranger_key_, itc::testing::free_port());
    QVERIFY(stranger_->start_running(30000));
    const QString prefix =
        QString::fromStdString(itc::crypto::to_hex(stranger_key_.public_key().substr(0, 8)));
    QVERIFY2(eventually([&] {
               return net_->log_of(0).contains("the peer's key " + prefix) &&
                      net_->log_of(0).contains("is not a validator key");
             }),
             qPrintable(net_->log_of(0).right(4000)));
    commit_transfer_at(0);
    QCOMPARE(stranger_->metric("pbft", "peers_connected").value_or(-1), 0.0);
    QCOMPARE(stranger_->metric("pbft", "height").value_or(0), 0.0);
    stranger_->stop();
  }

  // A listed follower that sends votes: each is dropped and counted, none counts.
  void aFollowersVotesAreDroppedAndCounted() {
    QtLogger log;
    itc::net::PeerNetworkOptions o;
    for (std::uint32_t i = 0; i < net_->validators().size(); ++i) {
      const auto& v = net_->validators().validator(i);
      o.peers.push_back({v.name(), v.public_key(), v.address()});
    }
    o.self_index = static_cast<std::uint32_t>(o.peers.size());
    o.peers.push_back(
        {"rogue", rogue_key_.public_key(), "127.0.0.1:" + std::to_string(rogue_port_)});
    o.identity = rogue_key_;
    auto started = itc::net::PeerNetwork::start(
        std::move(o), [](std::uint32_t, std::string) {}, log);
    QVERIFY2(started.ok(), started.status().message().c_str());
    auto& rogue = **started;
    QVERIFY(eventually([&] {
      const auto stats = rogue.stats();
      return stats[0].connected_out && stats[0].connected_in;
    }));
    const double before = net_->metric(0, "pbft", "follower_votes_dropped").value_or(0);
    const std::uint64_t head = net_->height(0).value_or(0);
    for (std::uint64_t k = 0; k < 3; ++k) {
      v1::ConsensusMessage m;
      m.set_sender(itc::pbft::kFollowerSender);
      m.mutable_commit()->set_view(0);
      m.mutable_commit()->set_seq(head + 1 + k);
      m.mutable_commit()->set_digest(std::string(32, static_cast<char>('a' + k)));
      rogue.send(0, itc::pbft::seal(m, rogue_key_, net_->genesis().chain_id()).SerializeAsString());
    }
    QVERIFY(eventually([&] {
      return net_->metric(0, "pbft", "follower_votes_dropped").value_or(0) >= before + 3;
    }));
    QVERIFY(net_->log_of(0).contains("from follower rogue: a follower takes no part in consensus"));
    rogue.stop();
    commit_transfer_at(0);  // the chain goes on, and its head is the same everywhere
  }

  // A follower or followers entry the plugin cannot use is refused by --check-config,
  // naming the field.
  void badFollowerConfigsAreRefusedNamingTheField() {
    const std::vector<std::pair<std::string, QString>> cases = {
        {"role: follower", "listen_address: required with role follower"},
        {"role: observer", "role: \"observer\" is not a role; expected validator or follower"},
        {"followers: [{name: gw, public_key: \"hex:abcd\", address: \"127.0.0.1:1\"}]",
         "followers[0].public_key: 2 bytes; an Ed25519 key is 32"},
        {"role: follower, listen_address: \"127.0.0.1:1\", followers: [" +
             follower_entry("gw", follower_key_, 1) + "]",
         "followers: only a validator accepts followers"},
    };
    for (const auto& [extra, want] : cases) {
      NodeProcess node(net_->path(""), "bad-config");
      NodeConfig c("bad-config", itc::testing::free_port());
      c.data_dir("bad-config-data");
      c.plugin("store-sqlite");
      c.plugin("pbft", "genesis_file: " + net_->path("genesis.json") +
                           ", identity_key_file: " + net_->path("validator-0.pem") + ", " + extra);
      node.write_config(c);
      const auto [code, out] = node.check_config();
      QVERIFY2(code != 0 && out.contains(want),
               qPrintable(QString::fromStdString(extra) + ": " + out));
    }
  }

  void killingTheFollowerDoesNotStopCommits() {
    follower_->kill();
    const std::uint64_t h = commit_transfer_at(2);
    QVERIFY(h > 0);
    for (int i = 0; i < 4; ++i) {
      QVERIFY(eventually([&] { return net_->height(i).value_or(0) >= h; }));
    }
    // A reading made final while no follower runs (for the next test).
    const v1::DeviceTransaction tx = lamp_reading(net_->node(1), 42);
    final_before_ = itc::dag::transaction_id(tx);
    const HttpReply r = net_->request(1, "POST", "/v1/dag/tx", json_of(tx));
    QCOMPARE(r.json["outcome"].toString(), QString("admitted"));
    QVERIFY(
        eventually([&] { return dag_status(net_->node(1), final_before_)["state"] == "final"; }));
  }

  // A full node started late, on an empty store (the second listed key, which the rogue
  // link used before), catches up from genesis, fetching the DAG cones of the milestones it
  // executes, and proves a reading that became final before it started from the genesis.
  void aFollowerStartedLateProvesWhatBecameFinalBeforeIt() {
    auto late = follower_node("late", rogue_key_, rogue_port_);
    QVERIFY(late->start_running(30000));
    const QJsonObject there = dag_status(net_->node(1), final_before_);
    QVERIFY2(
        eventually([&] { return dag_status(*late, final_before_)["state"] == "final"; }, 30000),
        qPrintable(late->run_log().right(3000)));
    QCOMPARE(dag_status(*late, final_before_)["milestone"], there["milestone"]);
    QCOMPARE(dag_status(*late, final_before_)["height"], there["height"]);
    // Final once executed; its proof needs the block stored (the store trails execution).
    const std::uint64_t at = there["height"].toString().toULongLong();
    QVERIFY(eventually([&] {
      const HttpReply head = late->get("/v1/ledger/head");
      return head.json["header"].toObject()["height"].toString().toULongLong() >= at;
    }));
    const HttpReply proof = late->get(
        QString::fromStdString("/v1/dag/tx/" + itc::crypto::to_hex(final_before_) + "/proof"));
    QVERIFY2(proof.status == 200, proof.body.constData());
    const std::string bytes = proof.body.toStdString();
    itc::light::State s{};
    QVERIFY(itc::light::trust_genesis(net_->genesis(), &s).ok());
    itc::light::Inclusion where{};
    QCOMPARE(itc::light::verdict_name(
                 itc::light::verify_dag_tx(&s, bytes_of(bytes), bytes.size(), &where).verdict),
             "ok");
    QCOMPARE(std::string(reinterpret_cast<const char*>(where.leaf_id), 32), final_before_);
    late->stop();
  }

  void cleanupTestCase() {
    stranger_.reset();
    follower_.reset();
    net_.reset();
  }
};

QTEST_GUILESS_MAIN(FollowerTest)
#include "follower_test.moc"
