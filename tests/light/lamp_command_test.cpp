// Lamps verify their owner's commands themselves (issue 13 item 5), on a real 4-validator
// network (LocalNetwork: itc-node processes, pbft, store-sqlite, lamps, normalize,
// control). Each lamp's own light client, trusting the genesis, checks the ownership
// proof a command carries. Validator 0's lamp takes an owner's command through `control`,
// which attaches the proof. The other lamps sit behind a node that lies (relay-gateway
// forwards every command unchecked): a stranger's command, forged proofs (altered value,
// path, QC signature, a minority-signed header), another chain's header, a stale header
// (older than the lamp's own, or older than the allowed age) are refused by the lamp, with
// the reason in the node's devices view; an ownership transfer on the chain is honoured
// and the old owner refused.
#include <QProcess>
#include <QtTest>
#include <memory>
#include <thread>

#include "itc/command_signing.hpp"
#include "light_chain.hpp"
#include "local_network.hpp"
#include "node_config.hpp"
#include "proof_bytes.hpp"

using namespace itc;
using itc::test::bytes_of;
using itc::test::flipped;
using itc::test::minority_signed;
using itc::test::qc_offset;
using itc::testing::eventually;
using itc::testing::HttpReply;
using itc::testing::LocalNetwork;
using itc::testing::NetworkOptions;
using itc::testing::NodeConfig;
using itc::testing::NodeProcess;

namespace {

constexpr char kLamp[] = "r-lamp-000001";         // behind the lying node
constexpr char kAgedLamp[] = "r-lamp-000002";     // behind the lying node, for the age limit
constexpr char kHonestLamp[] = "v0-lamp-000001";  // behind validator 0's control
constexpr int kMaxHeaderAgeS = 10;  // fresh proofs stay well inside it on a loaded machine

QString path_of(const char* device) { return QString("/v1/proofs/state/d%2F") + device; }

}  // namespace

class LampCommandTest : public QObject {
  Q_OBJECT

  std::unique_ptr<LocalNetwork> net_;
  std::unique_ptr<NodeProcess> liar_;
  std::uint64_t nonce_ = 0;

  std::string proof_of(const char* device, int node = 1) {
    HttpReply r = net_->get(node, path_of(device));
    if (r.status != 200) qFatal("proof of %s: %d %s", device, r.status, r.body.data());
    return r.body.toStdString();
  }
  // The height of the certified header a state proof of `device` carries.
  std::uint64_t height_of(const std::string& proof, const char* device) {
    light::State s{};
    if (!light::trust_genesis(net_->genesis(), &s).ok()) qFatal("trust_genesis");
    const std::string key = "d/" + std::string(device);
    light::Bytes v{};
    if (!light::verify_state(&s, bytes_of(proof), proof.size(), bytes_of(key), key.size(), &v)
             .ok()) {
      qFatal("the node's proof of %s does not verify", device);
    }
    return s.header.height;
  }
  // An owner-signed DIM command from account `signer`, with `proof` attached (not signed).
  v1::Command command(const char* device, int signer, const std::string& proof) {
    v1::Command c;
    c.set_device_id(device);
    c.set_action(v1::ACTION_DIM);
    c.set_nonce(++nonce_);
    c.set_dim_level(static_cast<std::uint32_t>(10 + nonce_ % 80));
    c.set_issued_at_us(std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
    sign_command(&c, net_->account(signer));
    c.set_ownership_proof(proof);
    return c;
  }
  HttpReply post(NodeProcess& node, const v1::Command& c) {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(c, &json);
    return node.request("POST", "/v1/commands", QByteArray::fromStdString(json));
  }
  // The lamp's own verdict on command `c`, as the node's devices view shows it.
  QString verdict(NodeProcess& node, const v1::Command& c) {
    const QString nonce = QString("nonce %1").arg(c.nonce());
    QString last;
    (void)eventually([&] {
      last =
          node.get(QString("/v1/devices/") + c.device_id().c_str()).json["lastCommand"].toString();
      return last.contains(nonce + ":") || last.endsWith(nonce);
    });
    return last;
  }
  // Sends through the lying node; the lamp's verdict.
  QString via_liar(const v1::Command& c) {
    HttpReply r = post(*liar_, c);
    if (r.status != 200) return QString("POST: %1 %2").arg(r.status).arg(r.body.data());
    const QString v = verdict(*liar_, c);
    qInfo("lamp %s, nonce %llu: %s", c.device_id().c_str(),
          static_cast<unsigned long long>(c.nonce()), qPrintable(v));
    return v;
  }
  void register_on_chain(const char* device, std::uint64_t nonce) {
    v1::Transaction reg;
    reg.set_nonce(nonce);
    reg.set_fee(1);
    reg.mutable_register_device()->set_device_id(device);
    reg.mutable_register_device()->set_profile("dimmable-lamp");
    reg.mutable_register_device()->set_device_public_key(test::key_from('d').public_key());
    HttpReply r = net_->submit(0, net_->signed_by(0, reg));
    QVERIFY2(r.json["committed"].toBool(), r.body.data());
  }
  // Waits until the chain is above `height` (blocks keep coming: the lamps report).
  void wait_above(std::uint64_t height) {
    QVERIFY(eventually([&] { return net_->height(1).value_or(0) > height; }));
  }

 private slots:
  void initTestCase() {
    NetworkOptions opt;
    opt.lamps = 1;
    opt.lamps_verify_chain = true;
    net_ = std::make_unique<LocalNetwork>(opt);
    net_->start_all();
    register_on_chain(kHonestLamp, 1);
    register_on_chain(kLamp, 2);
    register_on_chain(kAgedLamp, 3);

    liar_ = std::make_unique<NodeProcess>(net_->path(""), "liar");
    NodeConfig c("liar", testing::free_port());
    c.data_dir("liar-data");
    c.plugin("sim-lighting",
             "lamps: 2, report_interval_ms: 1000, fleet_seed: liar, id_prefix: r-lamp-, "
             "owner_public_key: " +
                 crypto::to_hex(net_->account(0).public_key()) +
                 ", genesis_file: " + net_->path("genesis.json") +
                 ", max_header_age_s: " + std::to_string(kMaxHeaderAgeS));
    c.plugin("relay-gateway");
    liar_->write_config(c);
    QVERIFY2(liar_->start_running(), qPrintable(liar_->log()));
  }

  void an_owners_command_through_control_is_verified_and_applied_by_the_lamp() {
    v1::Command c = command(kHonestLamp, 0, "");  // control attaches the proof
    HttpReply r = post(net_->node(0), c);
    QVERIFY2(r.status == 200 && r.json["accepted"].toBool(), r.body.data());
    const QString v = verdict(net_->node(0), c);
    QVERIFY2(v == QString("accepted nonce %1").arg(c.nonce()), qPrintable(v));
    QCOMPARE(net_->metric(0, "sim-lighting", "commands_applied").value_or(0), 1.0);
    // A stranger's command never leaves the honest node: control refuses it.
    r = post(net_->node(0), command(kHonestLamp, 1, ""));
    QVERIFY2(r.status == 403 && r.body.contains("owner on the chain"), r.body.data());
  }

  void an_owners_command_with_a_fresh_proof_passes_even_the_lying_node() {
    const v1::Command c = command(kLamp, 0, proof_of(kLamp));
    const QString v = via_liar(c);
    QVERIFY2(v == QString("accepted nonce %1").arg(c.nonce()), qPrintable(v));
  }

  void the_sender_can_attach_the_proof_with_the_itc_cli() {
    const std::string pem = net_->path("owner.pem");
    const std::string proof = net_->path("owner.proof");
    QVERIFY(net_->account(0).save_pem_file(pem).ok());
    QVERIFY(write_file_atomically(proof, proof_of(kLamp, 2), 0644).ok());
    QProcess itc_cli;
    itc_cli.start(ITC_BIN, {"command", "sign", "--key", QString::fromStdString(pem), "--device",
                            kLamp, "--action", "off", "--nonce", QString::number(++nonce_),
                            "--proof", QString::fromStdString(proof)});
    QVERIFY(itc_cli.waitForFinished(30000));
    const QByteArray json = itc_cli.readAllStandardOutput();
    QVERIFY2(itc_cli.exitCode() == 0, itc_cli.readAllStandardError().data());
    QVERIFY(liar_->request("POST", "/v1/commands", json).status == 200);
    v1::Command sent;
    QVERIFY(google::protobuf::util::JsonStringToMessage(json.toStdString(), &sent).ok());
    const QString v = verdict(*liar_, sent);
    QVERIFY2(v == QString("accepted nonce %1").arg(nonce_), qPrintable(v));
  }

  void the_lamp_refuses_what_the_lying_node_forwards_with_the_reason() {
    const std::string owner = net_->account(0).public_key();
    std::string fresh = proof_of(kLamp);
    QString v = via_liar(command(kLamp, 1, fresh));  // a stranger, with a true proof
    QVERIFY2(v.contains("not_owner: signed by another key than the device's owner " +
                        QString::fromStdString(crypto::to_hex(owner.substr(0, 4)))),
             qPrintable(v));
    v = via_liar(command(kLamp, 0, ""));
    QVERIFY2(v.contains("no_proof"), qPrintable(v));
    v = via_liar(command(kLamp, 0, flipped(fresh, fresh.find(owner) + 31)));  // altered value
    QVERIFY2(v.contains("proof_refused: state_root_mismatch"), qPrintable(v));
    v = via_liar(command(kLamp, 0, flipped(fresh, fresh.size() - 1)));  // altered path
    QVERIFY2(v.contains("proof_refused: state_root_mismatch"), qPrintable(v));
    v = via_liar(command(kLamp, 0, flipped(fresh, qc_offset(fresh) + 8 + 1 + 2 + 7)));  // QC
    QVERIFY2(v.contains("proof_refused: bad_signature"), qPrintable(v));
    v = via_liar(command(kLamp, 0, minority_signed(fresh)));
    QVERIFY2(v.contains("proof_refused: too_few_signers"), qPrintable(v));
    test::LightChain other;  // another chain: its own validators and chain id
    v = via_liar(command(kLamp, 0, other.state_proof(std::string("d/") + kLamp)));
    QVERIFY2(v.contains("proof_refused: validator_set_mismatch"), qPrintable(v));
    // A forged signature over a true proof.
    v1::Command forged = command(kLamp, 0, fresh);
    forged.set_dim_level(forged.dim_level() + 1);
    v = via_liar(forged);
    QVERIFY2(v.contains("signature does not verify"), qPrintable(v));

    // Stale: older than the header the lamp trusts (it adopted a newer one meanwhile).
    wait_above(height_of(fresh, kLamp));
    v = via_liar(command(kLamp, 0, proof_of(kLamp)));
    QVERIFY2(v.startsWith("accepted"), qPrintable(v));
    v = via_liar(command(kLamp, 0, fresh));
    QVERIFY2(v.contains("proof_refused: stale_header"), qPrintable(v));
    // Stale: older than max_header_age_s (a lamp that has trusted no header yet).
    const std::string aged = proof_of(kAgedLamp);
    std::this_thread::sleep_for(std::chrono::seconds(kMaxHeaderAgeS + 1));
    v = via_liar(command(kAgedLamp, 0, aged));
    QVERIFY2(v.contains("header_too_old: block ") &&
                 v.contains(QString("the limit is %1 s").arg(kMaxHeaderAgeS)),
             qPrintable(v));

    // Every refusal is counted by the lamps' node: 10 above.
    QCOMPARE(liar_->metric("sim-lighting", "commands_refused_owner").value_or(0), 10.0);
  }

  void an_ownership_transfer_is_honoured_and_the_old_owner_refused() {
    const std::string before = proof_of(kLamp);  // account 0 still owns the lamp
    v1::Transaction give;
    give.set_nonce(4);
    give.set_fee(1);
    give.mutable_transfer_device()->set_device_id(kLamp);
    give.mutable_transfer_device()->set_new_owner(net_->account(1).public_key());
    HttpReply r = net_->submit(0, net_->signed_by(0, give));
    QVERIFY2(r.json["committed"].toBool(), r.body.data());
    const std::uint64_t at = r.json["height"].toString().toULongLong();
    QVERIFY(eventually([&] { return net_->height(1).value_or(0) >= at; }));

    const v1::Command by_new = command(kLamp, 1, proof_of(kLamp));
    QString v = via_liar(by_new);
    QVERIFY2(v == QString("accepted nonce %1").arg(by_new.nonce()), qPrintable(v));
    v = via_liar(command(kLamp, 0, proof_of(kLamp)));
    QVERIFY2(v.contains("not_owner"), qPrintable(v));
    // The old owner's proof from before the transfer is older than what the lamp trusts.
    v = via_liar(command(kLamp, 0, before));
    QVERIFY2(v.contains("proof_refused: stale_header"), qPrintable(v));
  }

  void cleanupTestCase() {
    if (liar_) liar_->stop();
  }
};

QTEST_GUILESS_MAIN(LampCommandTest)
#include "lamp_command_test.moc"
