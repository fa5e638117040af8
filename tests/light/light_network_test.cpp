// The light client against a real 4-validator network (LocalNetwork: itc-node processes,
// pbft, store-sqlite, simulated lamps): the admin API's proofs checked by libitc-light,
// and the itc-light CLI run as a process — it verifies an owner, a balance and a
// transaction, refuses a client past its trusting period, refuses a lying node (altered
// value, path, signature, a minority- or other-chain-signed header, a stale header) and
// reports conflicting headers as an attack.
#include <QProcess>
#include <QtTest>
#include <memory>

#include "itc/ledger/block_commitments.hpp"
#include "itc/ledger/transactions.hpp"
#include "itc/light/state_file.hpp"
#include "light_chain.hpp"
#include "local_network.hpp"
#include "lying_node.hpp"
#include "proof_bytes.hpp"

using namespace itc;
using itc::test::bytes_of;
using itc::test::flipped;
using itc::test::qc_offset;
using itc::testing::eventually;
using itc::testing::HttpReply;
using itc::testing::LocalNetwork;
using itc::testing::NetworkOptions;

namespace {

constexpr char kDevice[] = "light-lamp-1";

struct Run {
  int code = -1;
  QString out;
};

}  // namespace

class LightNetworkTest : public QObject {
  Q_OBJECT

  std::unique_ptr<LocalNetwork> net_;
  std::string tx_id_;
  std::uint64_t tx_height_ = 0;
  QTemporaryDir dir_;

  // Validator i's admin token, in a file as the CLI reads it.
  std::string token(int i) {
    const std::string path = dir_.filePath(QString("token-%1").arg(i)).toStdString();
    if (!write_file_atomically(path, net_->token(i), 0600).ok()) qFatal("cannot write token");
    return path;
  }
  std::string url(int i) { return "http://127.0.0.1:" + std::to_string(net_->admin_port(i)); }
  std::string fetch(int i, const QString& target) {
    HttpReply r = net_->get(i, target);
    if (r.status != 200) qFatal("GET %s: %d %s", qPrintable(target), r.status, r.body.data());
    return r.body.toStdString();
  }
  Run light(const QStringList& args, const QString& state = "client.state") {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("ITC_LIGHT_STATE", dir_.filePath(state));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(ITC_LIGHT_BIN, args);
    if (!p.waitForFinished(60000)) return {};
    return Run{p.exitCode(), QString::fromUtf8(p.readAll())};
  }
  QStringList at_node(const QStringList& args, const std::string& node_url, int token_of = 0) {
    return args + QStringList{"--node", QString::fromStdString(node_url), "--token-file",
                              QString::fromStdString(token(token_of))};
  }

 private slots:
  void initTestCase() {
    NetworkOptions opt;
    opt.lamps = 1;
    net_ = std::make_unique<LocalNetwork>(opt);
    net_->start_all();
    v1::Transaction reg;
    reg.set_nonce(1);
    reg.set_fee(1);
    reg.mutable_register_device()->set_device_id(kDevice);
    reg.mutable_register_device()->set_profile("dimmable-lamp");
    reg.mutable_register_device()->set_device_public_key(test::key_from('d').public_key());
    HttpReply r = net_->submit(0, net_->signed_by(0, reg));
    QVERIFY2(r.json["committed"].toBool(), r.body.data());
    const v1::Transaction pay = net_->transfer(0, 1, 77, 2);
    r = net_->submit(0, pay);
    QVERIFY2(r.json["committed"].toBool(), r.body.data());
    tx_id_ = crypto::to_hex(ledger::tx_id(pay));
    tx_height_ = r.json["height"].toString().toULongLong();
    QVERIFY(tx_height_ > 0);
    for (int i = 0; i < 4; ++i) {
      QVERIFY(eventually([&] { return net_->height(i).value_or(0) >= tx_height_; }));
    }
  }

  void the_nodes_proofs_verify_with_the_library() {
    // No validator-set change on this network: an empty list of epoch updates, and a
    // clear refusal without from_epoch.
    QCOMPARE(fetch(0, "/v1/light/updates?from_epoch=0"), std::string(4, '\0'));
    QCOMPARE(net_->get(0, "/v1/light/updates").status, 400);
    light::State s{};
    QVERIFY(light::trust_genesis(net_->genesis(), &s).ok());
    const std::string head = fetch(2, "/v1/proofs/header");
    QCOMPARE(light::verdict_name(light::apply_header(&s, bytes_of(head), head.size()).verdict),
             "ok");
    QVERIFY(s.header.height >= tx_height_);

    const std::string key = std::string("d/") + kDevice;
    const std::string state = fetch(1, "/v1/proofs/state/d%2F" + QString(kDevice));
    light::Bytes value{};
    QCOMPARE(light::verdict_name(light::verify_state(&s, bytes_of(state), state.size(),
                                                     bytes_of(key), key.size(), &value)
                                     .verdict),
             "ok");
    light::DeviceRecord d{};
    QVERIFY(light::decode_device(value, &d).ok());
    QCOMPARE(std::string(reinterpret_cast<const char*>(d.owner.data), 32),
             net_->account(0).public_key());

    const std::string tx = fetch(3, QString::fromStdString("/v1/proofs/tx/" + tx_id_));
    light::Inclusion inc{};
    QVERIFY(light::verify_tx(&s, bytes_of(tx), tx.size(), &inc).ok());
    QCOMPARE(inc.height, tx_height_);
    QCOMPARE(crypto::to_hex(std::string(reinterpret_cast<const char*>(inc.leaf_id), 32)), tx_id_);

    std::optional<v1::Block> with_readings;
    QVERIFY(eventually([&] {
      const auto top = net_->height(0).value_or(0);
      for (std::uint64_t h = top; h >= 1 && !with_readings; --h) {
        auto b = net_->block(0, h);
        if (b && b->readings_size() > 0) with_readings = b;
      }
      return with_readings.has_value();
    }));
    const std::uint64_t h = with_readings->header().height();
    const int last = with_readings->readings_size() - 1;
    const std::string reading = fetch(0, QString("/v1/proofs/reading/%1/%2").arg(h).arg(last));
    QVERIFY(light::verify_reading(&s, bytes_of(reading), reading.size(), &inc).ok());
    QCOMPARE(std::string(reinterpret_cast<const char*>(inc.leaf.data), inc.leaf.size),
             reading_leaf_bytes(with_readings->readings(last)));

    Run cli = light({"init", "--genesis", QString::fromStdString(net_->path("genesis.json"))},
                    "reading.state");
    QVERIFY2(cli.code == 0, qPrintable(cli.out));
    cli = light(at_node({"reading", QString::number(h), QString::number(last)}, url(2), 2),
                "reading.state");
    QVERIFY2(cli.code == 0 && cli.out.contains(QString::fromStdString(
                                  with_readings->readings(last).device_id())),
             qPrintable(cli.out));

    QCOMPARE(net_->get(0, "/v1/proofs/tx/not-hex").status, 400);
    QCOMPARE(net_->get(0, QString("/v1/proofs/reading/%1/100000").arg(h)).status, 404);
  }

  void the_cli_verifies_owner_balance_and_tx_cross_checked_by_a_witness() {
    Run r = light({"init", "--genesis", QString::fromStdString(net_->path("genesis.json"))});
    QVERIFY2(r.code == 0, qPrintable(r.out));
    r = light(at_node({"sync", "--witness", QString::fromStdString(url(1)), "--witness-token-file",
                       QString::fromStdString(token(1))},
                      url(0)));
    QVERIFY2(r.code == 0 && r.out.contains("VERIFIED header"), qPrintable(r.out));
    r = light(at_node({"owner", kDevice}, url(2), 2));
    QVERIFY2(r.code == 0, qPrintable(r.out));
    QVERIFY2(r.out.contains(QString::fromStdString(crypto::to_hex(net_->account(0).public_key()))),
             qPrintable(r.out));
    const std::string bob = crypto::to_hex(net_->account(1).public_key());
    const HttpReply acct = net_->get(3, QString::fromStdString("/v1/accounts/" + bob));
    r = light(at_node({"balance", QString::fromStdString(bob)}, url(3), 3));
    QVERIFY2(r.code == 0, qPrintable(r.out));
    QVERIFY2(r.out.contains(": " + acct.json["balance"].toString() + " (nonce"), qPrintable(r.out));
    r = light(at_node({"tx", QString::fromStdString(tx_id_)}, url(1), 1));
    QVERIFY2(r.code == 0 && r.out.contains(QString("in block %1").arg(tx_height_)),
             qPrintable(r.out));
    r = light(at_node({"owner", "no-such-lamp"}, url(0)));
    QVERIFY2(r.code == 0 && r.out.contains("is not registered"), qPrintable(r.out));
  }

  void the_cli_refuses_a_lying_node_with_the_reason() {
    QVERIFY(QFile::exists(dir_.filePath("client.state")));  // from the previous test
    test::LyingNode liar;
    const QString owner_target = "/v1/proofs/state/d%2F" + QString(kDevice);
    const std::string proof = fetch(0, owner_target);
    const std::string owner = net_->account(0).public_key();
    // sync asks for epoch updates first: the network has none (an empty list).
    liar.serve("/v1/light/updates?from_epoch=0", fetch(0, "/v1/light/updates?from_epoch=0"));
    const auto lie = [&](const std::string& body, const QStringList& args) {
      liar.serve(args[0] == "sync" ? "/v1/proofs/header" : owner_target.toStdString(), body);
      return light(at_node(args, liar.url()));
    };
    Run r = lie(flipped(proof, proof.find(owner) + 31), {"owner", kDevice});
    QVERIFY2(r.code == 1 && r.out.contains("state_root_mismatch"), qPrintable(r.out));
    r = lie(flipped(proof, proof.size() - 1), {"owner", kDevice});
    QVERIFY2(r.code == 1 && r.out.contains("state_root_mismatch"), qPrintable(r.out));
    r = lie(flipped(proof, qc_offset(proof) + 8 + 1 + 2 + 7), {"owner", kDevice});
    QVERIFY2(r.code == 1 && r.out.contains("bad_signature"), qPrintable(r.out));

    const std::string head = fetch(0, "/v1/proofs/header");
    std::string minority = head.substr(0, qc_offset(head) + 8);
    minority += '\x02';
    minority += head.substr(qc_offset(head) + 9, 2 * 66);
    r = lie(minority, {"sync"});
    QVERIFY2(r.code == 1 && r.out.contains("too_few_signers"), qPrintable(r.out));
    r = lie(fetch(0, "/v1/proofs/header?height=1"), {"sync"});
    QVERIFY2(r.code == 1 && r.out.contains("stale_header"), qPrintable(r.out));
    test::LightChain other;  // another chain (its own validators and chain id)
    r = lie(other.update(other.head()), {"sync"});  // its header names its own validators
    QVERIFY2(r.code == 1 && r.out.contains("validator_set_mismatch"), qPrintable(r.out));
  }

  void a_client_past_its_trust_period_refuses_until_initialised_again() {
    const QString genesis = QString::fromStdString(net_->path("genesis.json"));
    Run r = light({"init", "--genesis", genesis, "--trust-period-days", "1"}, "late.state");
    QVERIFY2(r.code == 0 && r.out.contains("trust period 1 days"), qPrintable(r.out));
    r = light(at_node({"sync"}, url(0)), "late.state");
    QVERIFY2(r.code == 0 && r.out.contains("VERIFIED header"), qPrintable(r.out));
    // The client was last in touch two days ago: its trusted header is that old.
    QFile file(dir_.filePath("late.state"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    file.close();
    light::State state{};
    QVERIFY(light::decode_state(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                static_cast<std::size_t>(bytes.size()), &state)
                .ok());
    state.trusted_time_us -= 2 * 86'400'000'000LL;
    std::uint8_t aged[light::kMaxStateBytes];
    const std::size_t n = light::encode_state(state, aged, sizeof aged);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(reinterpret_cast<const char*>(aged), static_cast<qint64>(n)),
             static_cast<qint64>(n));
    file.close();
    r = light(at_node({"sync"}, url(0)), "late.state");
    QVERIFY2(r.code == 1 && r.out.contains("trust_expired") && r.out.contains("--checkpoint"),
             qPrintable(r.out));
    r = light(at_node({"owner", kDevice}, url(0)), "late.state");
    QVERIFY2(r.code == 1 && r.out.contains("trust_expired"), qPrintable(r.out));
    r = light({"init", "--genesis", genesis, "--trust-period-days", "1"}, "late.state");
    QVERIFY2(r.code == 0, qPrintable(r.out));
    r = light(at_node({"sync"}, url(0)), "late.state");
    QVERIFY2(r.code == 0 && r.out.contains("VERIFIED header"), qPrintable(r.out));
  }

  void the_cli_reports_conflicting_headers_as_an_attack() {
    // Three validators equivocate: a second certified block at a height the primary serves.
    const std::string real = fetch(0, "/v1/proofs/header");
    light::State probe{};
    QVERIFY(light::trust_genesis(net_->genesis(), &probe).ok());
    QVERIFY(light::apply_header(&probe, bytes_of(real), real.size()).ok());
    v1::Block fork = *net_->block(0, probe.header.height);
    fork.mutable_header()->set_timestamp_us(fork.header().timestamp_us() + 1);
    fork.set_hash(block_hash(fork.header()));
    const std::string bytes = ledger::commit_signing_bytes(net_->genesis().chain_id(), 0,
                                                           fork.header().height(), fork.hash());
    fork.mutable_qc()->Clear();
    fork.mutable_qc()->set_height(fork.header().height());
    fork.mutable_qc()->set_block_hash(fork.hash());
    for (int i : {0, 1, 2}) {
      auto* sig = fork.mutable_qc()->add_signatures();
      sig->set_validator(static_cast<std::uint32_t>(i));
      sig->set_signature(net_->validator_key(i).sign(bytes));
    }
    test::LyingNode primary;
    test::LyingNode witness;
    primary.serve("/v1/proofs/header", real);
    primary.serve("/v1/light/updates?from_epoch=0", fetch(0, "/v1/light/updates?from_epoch=0"));
    witness.serve("/v1/proofs/header?height=" + std::to_string(probe.header.height),
                  light::prover::header_update(fork.header(), fork.qc()).value());
    Run r = light({"init", "--genesis", QString::fromStdString(net_->path("genesis.json"))},
                  "attacked.state");
    QVERIFY2(r.code == 0, qPrintable(r.out));
    r = light(at_node({"sync", "--witness", QString::fromStdString(witness.url()),
                       "--witness-token-file", QString::fromStdString(token(0))},
                      primary.url()),
              "attacked.state");
    QVERIFY2(r.code == 3 && r.out.contains("ATTACK") &&
                 r.out.contains(QString::fromStdString(crypto::to_hex(fork.hash()))),
             qPrintable(r.out));
  }
};

QTEST_GUILESS_MAIN(LightNetworkTest)
#include "light_network_test.moc"
