// The DAG side chain on four real validators (itc-node processes, `pbft` with `dag: true`):
// device transactions submitted to different validators are passed on, made final by the
// milestones PBFT blocks carry, at the same milestone everywhere; a double spend resolves
// the same on every validator (and moves main-chain balances once); each admission rule
// refuses with its reason on the node it reached, and the rest go on.
#include <google/protobuf/util/json_util.h>

#include <QProcess>
#include <map>

#include "issuer.hpp"
#include "itc/file_io.hpp"
#include "itc/light/genesis_trust.hpp"
#include "itc/light/light_client.hpp"
#include "local_network.hpp"
#include "transaction.hpp"

using itc::testing::eventually;
using itc::testing::HttpReply;
using itc::testing::LocalNetwork;
using itc::testing::NetworkOptions;
namespace v1 = itc::v1;
namespace dag = itc::dag;

namespace {

constexpr int kLamps = 6;
constexpr std::uint64_t kFunded = 100;  // lamp 0's genesis balance

struct Lamp {
  itc::crypto::Ed25519PrivateKey key;
  std::unique_ptr<dag::TransactionIssuer> issuer;
  std::string id;
};

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

QByteArray json_of(const v1::DeviceTransaction& tx) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(tx, &out);
  return QByteArray::fromStdString(out);
}

std::string hex(const std::string& raw) { return itc::crypto::to_hex(raw); }

std::string bytes_of_b64(const QJsonValue& v) {
  return QByteArray::fromBase64(v.toString().toLatin1()).toStdString();
}

class Fleet {
 public:
  Fleet() {
    for (int i = 0; i < kLamps; ++i) {
      Lamp l;
      l.key = *itc::crypto::Ed25519PrivateKey::generate();
      l.issuer = std::make_unique<dag::TransactionIssuer>(l.key, 12);
      l.id = "lamp-" + std::to_string(i);
      lamps.push_back(std::move(l));
    }
  }
  // Registers every lamp (profile "lamp": its DAG class) and funds lamp 0's account.
  void add_to(v1::Genesis& g) const {
    for (const auto& l : lamps) {
      auto* d = g.add_devices();
      d->set_device_id(l.id);
      d->set_profile("lamp");
      d->set_device_public_key(l.key.public_key());
      d->set_owner(g.allocations(0).account());
    }
    auto* a = g.add_allocations();
    a->set_account(lamps[0].key.public_key());
    a->set_balance(kFunded);
  }
  std::vector<Lamp> lamps;
};

// Tips to approve, from validator `node`.
std::vector<std::string> tips_from(LocalNetwork& net, int node) {
  HttpReply r = net.get(node, "/v1/dag/tips?count=2");
  std::vector<std::string> out;
  for (const auto& t : r.json["tips"].toArray()) out.push_back(bytes_of_b64(t));
  return out;
}

HttpReply submit(LocalNetwork& net, int node, const v1::DeviceTransaction& tx) {
  return net.request(node, "POST", "/v1/dag/tx", json_of(tx));
}

QJsonObject status_on(LocalNetwork& net, int node, const std::string& id) {
  return net.get(node, QString::fromStdString("/v1/dag/tx/" + hex(id))).json;
}

v1::Reading reading_of(const Lamp& l, double watts) {
  v1::Reading r;
  r.set_device_id(l.id);
  r.set_metric("power");
  r.set_value(watts);
  r.set_unit("W");
  r.set_quality(v1::QUALITY_GOOD);
  r.set_sampled_at_us(now_us());
  return r;
}

// `tx` re-signed after a change (a forger without the key could not; a lamp that skimps on
// proof of work could).
void resign(v1::DeviceTransaction* tx, const itc::crypto::Ed25519PrivateKey& key) {
  tx->clear_signature();
  tx->set_signature(key.sign(dag::signed_bytes(*tx)));
}

// Runs a command-line tool: its exit code and what it printed.
std::pair<int, QString> run_tool(const char* binary, const QStringList& args,
                                 const QString& light_state = {}) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  if (!light_state.isEmpty()) env.insert("ITC_LIGHT_STATE", light_state);
  p.setProcessEnvironment(env);
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(binary, args);
  p.waitForFinished(60000);
  return {p.exitCode(), QString::fromUtf8(p.readAll())};
}

std::uint64_t balance_on(LocalNetwork& net, int node, const std::string& account) {
  HttpReply r = net.get(node, QString::fromStdString("/v1/accounts/" + hex(account)));
  return r.status == 200 ? r.json["balance"].toString().toULongLong() : 0;
}

}  // namespace

class DagNetworkTest : public QObject {
  Q_OBJECT

 private slots:
  void deviceTransactionsBecomeFinalTheSameOnEveryValidator() {
    Fleet fleet;
    NetworkOptions opt;
    opt.pbft_extra = ", dag: true, milestone_interval_ms: 50";
    opt.genesis_extra = [&](v1::Genesis& g) { fleet.add_to(g); };
    LocalNetwork net(opt);
    net.start_all();

    // Three rounds: every lamp issues readings on "its" validator, approving the tips that
    // validator gives it.
    std::vector<std::pair<std::string, int>> issued;  // id, validator it was submitted to
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < kLamps; ++i) {
        const int node = i % 4;
        auto& lamp = fleet.lamps[static_cast<std::size_t>(i)];
        const auto parents = tips_from(net, node);
        QCOMPARE(parents.size(), std::size_t{2});
        const auto tx =
            lamp.issuer->issue_readings({reading_of(lamp, 10 + round)}, parents, now_us());
        HttpReply r = submit(net, node, tx);
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(r.json["outcome"].toString(), QString("admitted"));
        issued.emplace_back(dag::transaction_id(tx), node);
      }
    }
    // A double spend of lamp 0's 100: 70 to lamp 1 on validator 0, 70 to lamp 2 on
    // validator 2. Both are admitted (the DAG holds conflicts); a milestone orders them.
    auto& payer = *fleet.lamps[0].issuer;
    const auto to_1 =
        payer.issue_transfer(fleet.lamps[1].key.public_key(), 70, tips_from(net, 0), now_us());
    const auto to_2 =
        payer.issue_transfer(fleet.lamps[2].key.public_key(), 70, tips_from(net, 2), now_us());
    QCOMPARE(submit(net, 0, to_1).status, 200);
    QCOMPARE(submit(net, 2, to_2).status, 200);

    // Every transaction is final on every validator, at the same milestone and height.
    for (const auto& [id, node] : issued) {
      std::map<int, QJsonObject> seen;
      QVERIFY2(eventually(
                   [&] {
                     for (int v = 0; v < 4; ++v) {
                       seen[v] = status_on(net, v, id);
                       if (seen[v]["state"].toString() != "final") return false;
                     }
                     return true;
                   },
                   30000),
               qPrintable(QString("%1 (submitted to validator %2) on validator 3: %3")
                              .arg(QString::fromStdString(hex(id)))
                              .arg(node)
                              .arg(QString(QJsonDocument(seen[3]).toJson()))));
      for (int v = 1; v < 4; ++v) {
        QCOMPARE(seen[v]["milestone"].toInt(), seen[0]["milestone"].toInt());
        QCOMPARE(seen[v]["height"].toString(), seen[0]["height"].toString());
      }
    }
    // The double spend: one final, one conflicting with the reason, the same everywhere.
    const std::string id_1 = dag::transaction_id(to_1), id_2 = dag::transaction_id(to_2);
    QVERIFY(eventually(
        [&] {
          for (int v = 0; v < 4; ++v) {
            const QString a = status_on(net, v, id_1)["state"].toString();
            const QString b = status_on(net, v, id_2)["state"].toString();
            if ((a != "final" && a != "conflicting") || (b != "final" && b != "conflicting"))
              return false;
          }
          return true;
        },
        30000));
    const QJsonObject s1 = status_on(net, 0, id_1), s2 = status_on(net, 0, id_2);
    QVERIFY2((s1["state"].toString() == "final") != (s2["state"].toString() == "final"),
             "exactly one of the two spends is final");
    const QJsonObject& lost = s1["state"].toString() == "final" ? s2 : s1;
    QVERIFY2(lost["reason"].toString().contains("insufficient balance: 30 held, 70 sent"),
             qPrintable(lost["reason"].toString()));
    for (int v = 1; v < 4; ++v) {
      QCOMPARE(status_on(net, v, id_1)["state"], s1["state"]);
      QCOMPARE(status_on(net, v, id_2)["state"], s2["state"]);
    }
    // The main chain moved the balance once, the same on every validator.
    const std::string winner = s1["state"].toString() == "final" ? fleet.lamps[1].key.public_key()
                                                                 : fleet.lamps[2].key.public_key();
    for (int v = 0; v < 4; ++v) {
      QVERIFY(eventually([&] { return balance_on(net, v, winner) == 70; }, 10000));
      QCOMPARE(balance_on(net, v, fleet.lamps[0].key.public_key()), kFunded - 70);
    }
    // The blocks that carried the milestones agree and commit to a DAG root.
    const std::uint64_t h = status_on(net, 0, id_1)["height"].toString().toULongLong();
    QVERIFY(h > 0);
    auto block = net.block(0, h);
    QVERIFY(block.has_value());
    QVERIFY(block->header().milestone_size() > 0);
    QCOMPARE(block->header().dag_root().size(), std::size_t{32});
    for (int v = 1; v < 4; ++v) QCOMPARE(net.block(v, h)->hash(), block->hash());
    QVERIFY(
        eventually([&] { return net.metric(3, "pbft", "dag_milestone").value_or(0) >= 1; }, 5000));

    // A light client that trusts the genesis alone checks that a reading is final: the
    // certified block carrying its milestone and the audit path to the block's dag_root.
    const std::string reading_id = issued.front().first;
    HttpReply proof =
        net.get(2, QString::fromStdString("/v1/dag/tx/" + hex(reading_id) + "/proof"));
    QVERIFY2(proof.status == 200, proof.body.constData());
    const std::string bytes = proof.body.toStdString();
    auto verify = [&](const std::string& message, itc::light::Inclusion* out) {
      itc::light::State trust{};
      if (!itc::light::trust_genesis(net.genesis(), &trust).ok()) qFatal("genesis trust");
      return itc::light::verify_dag_tx(
          &trust, reinterpret_cast<const std::uint8_t*>(message.data()), message.size(), out);
    };
    itc::light::Inclusion where{};
    const auto ok = verify(bytes, &where);
    QVERIFY2(ok.ok(), itc::light::verdict_name(ok.verdict));
    QCOMPARE(std::string(reinterpret_cast<const char*>(where.leaf_id), 32), reading_id);
    QCOMPARE(QString::number(where.height), status_on(net, 2, reading_id)["height"].toString());
    // A node that swaps in another leaf is caught (the path may be empty: a cone of one).
    std::string bent = bytes;
    const std::size_t leaf_at = bent.rfind(reading_id);  // after the header (its tips)
    QVERIFY(leaf_at != std::string::npos);
    bent[leaf_at] = static_cast<char>(bent[leaf_at] ^ 0x01);
    QCOMPARE(QString(itc::light::verdict_name(verify(bent, &where).verdict)),
             QString("not_included"));
    // The CLI does the same from the genesis file, against another validator: the spend
    // that won is proven final, the conflicting one has no proof.
    QTemporaryDir cli_dir;
    const QString token = cli_dir.filePath("token");
    QVERIFY(itc::write_file_atomically(token.toStdString(), net.token(3), 0600).ok());
    auto light = [&](const QStringList& args) {
      return run_tool(ITC_LIGHT_BIN, args, cli_dir.filePath("client.state"));
    };
    auto init = light({"init", "--genesis", QString::fromStdString(net.path("genesis.json"))});
    QVERIFY2(init.first == 0, qPrintable(init.second));
    const bool id_1_won = s1["state"].toString() == "final";
    for (const auto& [id, won] : {std::pair{id_1, id_1_won}, std::pair{id_2, !id_1_won}}) {
      auto checked =
          light({"dag", QString::fromStdString(hex(id)), "--node",
                 QString("http://127.0.0.1:%1").arg(net.admin_port(3)), "--token-file", token});
      if (won) {
        QVERIFY2(checked.first == 0 && checked.second.contains("VERIFIED device transaction"),
                 qPrintable(checked.second));
      } else {
        QVERIFY2(checked.first != 0 && !checked.second.contains("VERIFIED"),
                 qPrintable(checked.second));
      }
    }
  }

  void eachAdmissionRuleRefusesWithItsReason() {
    Fleet fleet;
    NetworkOptions opt;
    opt.pbft_extra = ", dag: true";
    opt.genesis_extra = [&](v1::Genesis& g) { fleet.add_to(g); };
    LocalNetwork net(opt);
    net.start_all();
    const auto& lamp = fleet.lamps[3];
    auto expect_refused = [&](const v1::DeviceTransaction& tx, const char* reason) {
      HttpReply r = submit(net, 1, tx);
      QVERIFY2(r.status == 422, r.body.constData());
      QCOMPARE(r.json["outcome"].toString(), QString("refused"));
      QVERIFY2(r.json["reason"].toString() == reason, r.body.constData());
      QVERIFY2(!r.json["message"].toString().isEmpty(), r.body.constData());
    };
    // A forged signature (the proof of work, over the body, still holds).
    auto forged = lamp.issuer->issue_readings({reading_of(lamp, 5)}, tips_from(net, 1), now_us());
    (*forged.mutable_signature())[7] ^= 0x01;
    expect_refused(forged, "signature");
    // A reading changed after signing: its proof of work no longer holds either.
    auto altered = lamp.issuer->issue_readings({reading_of(lamp, 5)}, tips_from(net, 1), now_us());
    altered.mutable_readings()->mutable_readings(0)->set_value(5000);
    expect_refused(altered, "pow");
    // Too little proof of work: a nonce that misses the lamp class's 12 bits, signed.
    auto lazy = lamp.issuer->issue_readings({reading_of(lamp, 6)}, tips_from(net, 1), now_us());
    const std::string digest = itc::crypto::sha256(dag::transaction_body(lazy));
    std::uint64_t nonce = 0;
    while (dag::leading_zero_bits(dag::pow_hash(digest, nonce)) >= 12) ++nonce;
    lazy.set_nonce(nonce);
    resign(&lazy, lamp.key);
    expect_refused(lazy, "pow");
    // An issuer the chain never registered.
    dag::TransactionIssuer stranger(*itc::crypto::Ed25519PrivateKey::generate(), 12);
    Lamp ghost{*itc::crypto::Ed25519PrivateKey::generate(), nullptr, "ghost-lamp"};
    expect_refused(stranger.issue_readings({reading_of(ghost, 1)}, tips_from(net, 1), now_us()),
                   "unknown_issuer");
    // Issued an hour ago: outside the issue window.
    expect_refused(lamp.issuer->issue_readings({reading_of(lamp, 7)}, tips_from(net, 1),
                                               now_us() - 3'600'000'000),
                   "issue_time");
    // Parents nobody has: it waits for them (asked of the peers), it is not guessed.
    const std::vector<std::string> unknown = {itc::crypto::sha256("no such parent 1"),
                                              itc::crypto::sha256("no such parent 2")};
    const auto orphan = lamp.issuer->issue_readings({reading_of(lamp, 8)}, unknown, now_us());
    HttpReply r = submit(net, 1, orphan);
    QVERIFY2(r.status == 202, r.body.constData());
    QCOMPARE(r.json["missing"].toArray().size(), 2);
    QCOMPARE(status_on(net, 1, dag::transaction_id(orphan))["state"].toString(),
             QString("waiting"));
    // A lamp that floods (its class: 1 a second, burst 10) is slowed; another lamp is not.
    auto& flooder = fleet.lamps[4];
    int refused = 0;
    for (int i = 0; i < 20; ++i) {
      HttpReply f = submit(
          net, 1,
          flooder.issuer->issue_readings({reading_of(flooder, i)}, tips_from(net, 1), now_us()));
      if (f.status == 422) {
        QCOMPARE(f.json["reason"].toString(), QString("rate"));
        ++refused;
      }
    }
    QVERIFY2(refused >= 5, qPrintable(QString("%1 of 20 refused").arg(refused)));
    auto& calm = fleet.lamps[5];
    const auto fine =
        calm.issuer->issue_readings({reading_of(calm, 1)}, tips_from(net, 1), now_us());
    QCOMPARE(submit(net, 1, fine).status, 200);
    // The honest one is passed on and becomes final everywhere.
    QVERIFY(eventually(
        [&] {
          for (int v = 0; v < 4; ++v)
            if (status_on(net, v, dag::transaction_id(fine))["state"].toString() != "final")
              return false;
          return true;
        },
        30000));
    // An operator issues one as a device would, with `itc dag`, and watches it become final.
    QTemporaryDir cli_dir;
    const QString pem = cli_dir.filePath("lamp-2.pem");
    QVERIFY(fleet.lamps[2].key.save_pem_file(pem.toStdString()).ok());
    const QString token = cli_dir.filePath("token");
    QVERIFY(itc::write_file_atomically(token.toStdString(), net.token(2), 0600).ok());
    auto itc_cli = [&](QStringList args) {
      args << "--node" << QString("http://127.0.0.1:%1").arg(net.admin_port(2)) << "--token-file"
           << token;
      return run_tool(ITC_CLI_BIN, args);
    };
    auto issued =
        itc_cli({"dag", "issue", "--key", pem, "--device-id", "lamp-2", "--value", "12.5"});
    QVERIFY2(issued.first == 0 && issued.second.contains("admitted"), qPrintable(issued.second));
    const QString cli_id = issued.second.section(' ', 2, 2);
    QCOMPARE(cli_id.size(), 64);
    QVERIFY(eventually(
        [&] {
          return itc_cli({"dag", "show", cli_id}).second.contains(": final at milestone");
        },
        30000));
    auto nobody = itc_cli({"dag", "show", QString(64, QChar(0x61))});
    QVERIFY2(nobody.first == 1 && nobody.second.contains("unknown"), qPrintable(nobody.second));

    // Refused ones were never passed on.
    QCOMPARE(status_on(net, 2, dag::transaction_id(forged))["state"].toString(),
             QString("unknown"));
  }
};

QTEST_GUILESS_MAIN(DagNetworkTest)
#include "dag_network_test.moc"
