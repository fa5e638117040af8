// The `itc network|tx|chain` commands as an operator runs them: the real `itc` binary in a
// child process, against files it wrote, blocks built and signed here with real keys, and
// a real node serving a certified ledger.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <sys/stat.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "chain_fixture.hpp"
#include "itc/file_io.hpp"
#include "ledger_node.hpp"

using namespace itc;
namespace pb = google::protobuf;

namespace {

struct Run {
  int exit_code = -1;
  QString out;
  QString err;
  QString all() const { return out + err; }
};

Run itc_cli(const QStringList& args) {
  QProcess p;
  p.start(QString::fromStdString(std::string(std::getenv("ITC_BUILD_DIR")) + "/core/itc"), args);
  Run r;
  if (!p.waitForFinished(60000)) {
    p.kill();
    p.waitForFinished();
    r.err = "itc did not finish: " + args.join(' ');
    return r;
  }
  r.exit_code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

QString q(const std::string& s) { return QString::fromStdString(s); }

template <typename Message>
Message read_json(const std::string& path) {
  Message m;
  auto text = read_file(path);
  if (!text.ok() || !pb::util::JsonStringToMessage(*text, &m).ok()) {
    qWarning("cannot read %s", path.c_str());
  }
  return m;
}

void write_json(const std::string& path, const pb::Message& m) {
  std::string json;
  (void)pb::util::MessageToJsonString(m, &json);
  (void)write_file_atomically(path, json, 0644);
}

const crypto::Ed25519PrivateKey kAlice = test::key_from('a');
const crypto::Ed25519PrivateKey kBob = test::key_from('b');

}  // namespace

class ChainCliTest : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::string genesis_file_;  // make_genesis(4, ...) with the test keys
  test::CommittedBlock block1_;
  itc::testing::LedgerNode node_;

  std::string path(const std::string& name) { return dir_.filePath(q(name)).toStdString(); }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const v1::Genesis genesis =
        test::make_genesis(4, {{kAlice.public_key(), 1000}, {kBob.public_key(), 10}}, 2);
    genesis_file_ = path("genesis.json");
    QVERIFY(write_file_atomically(genesis_file_, ledger::genesis_to_json(genesis), 0644).ok());
    ledger::LedgerState state(genesis);
    block1_ =
        test::commit_certified_block(state, std::string(32, '\0'),
                                     {test::signed_transfer(kAlice, kBob.public_key(), 100, 1, 2),
                                      test::signed_register(kAlice, "lamp-0001", 2, 2)});
    Status st = node_.start();
    QVERIFY2(st.ok(), st.ToString().c_str());
    st = node_.store()->append(block1_.block, block1_.delta);
    QVERIFY2(st.ok(), st.ToString().c_str());
  }

  void cleanupTestCase() { node_.stop(); }

  // ---- network init --------------------------------------------------------------------

  void networkInitWritesPrivateKeysAndALoadableGenesis() {
    const std::string out = path("net");
    Run r = itc_cli({"network", "init", "--validators", "4", "--accounts", "2", "--fund", "500",
                     "--min-fee", "3", "--chain-id", "itc-cli-test", "--base-port", "7200", "--out",
                     q(out)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.all()));
    auto genesis = ledger::load_genesis(out + "/genesis.json");
    QVERIFY2(genesis.ok(), genesis.status().ToString().c_str());
    QCOMPARE(genesis->chain_id(), std::string("itc-cli-test"));
    QCOMPARE(genesis->min_fee(), 3u);
    QCOMPARE(genesis->validators_size(), 4);
    for (int i = 0; i < 4; ++i) {
      const std::string pem = out + "/validator-" + std::to_string(i) + ".pem";
      struct stat st {};
      QCOMPARE(::stat(pem.c_str(), &st), 0);
      QCOMPARE(st.st_mode & 0777, 0600u);
      auto key = crypto::Ed25519PrivateKey::load_pem_file(pem);
      QVERIFY(key.ok());
      QCOMPARE(genesis->validators(i).public_key(), key->public_key());
      QCOMPARE(genesis->validators(i).name(), "validator-" + std::to_string(i));
      QCOMPARE(genesis->validators(i).address(), "127.0.0.1:" + std::to_string(7200 + i));
    }
    QCOMPARE(genesis->allocations_size(), 2);
    for (int j = 0; j < 2; ++j) {
      const std::string pem = out + "/account-" + std::to_string(j) + ".pem";
      struct stat st {};
      QCOMPARE(::stat(pem.c_str(), &st), 0);
      QCOMPARE(st.st_mode & 0777, 0600u);
      auto key = crypto::Ed25519PrivateKey::load_pem_file(pem);
      QCOMPARE(genesis->allocations(j).account(), key->public_key());
      QCOMPARE(genesis->allocations(j).balance(), 500u);
    }
    // The validator set it describes is usable as is.
    auto set = ledger::ValidatorSet::from_genesis(*genesis);
    QVERIFY(set.ok());
    QCOMPARE(set->quorum(), 3u);
  }

  void networkInitNeverOverwrites() {
    const std::string out = path("net-once");
    QCOMPARE(itc_cli({"network", "init", "--validators", "1", "--out", q(out)}).exit_code, 0);
    const std::string before = *read_file(out + "/genesis.json");
    const std::string key_before = *read_file(out + "/validator-0.pem");
    Run again = itc_cli({"network", "init", "--validators", "1", "--out", q(out)});
    QCOMPARE(again.exit_code, 1);
    QVERIFY2(again.err.contains("genesis.json already exists"), qPrintable(again.all()));
    QCOMPARE(*read_file(out + "/genesis.json"), before);
    QCOMPARE(*read_file(out + "/validator-0.pem"), key_before);
  }

  // ---- tx ------------------------------------------------------------------------------

  void txSignsForTheGenesisChainWithItsMinimumFee() {
    const std::string out = path("net-tx");
    QCOMPARE(itc_cli({"network", "init", "--validators", "1", "--accounts", "2", "--min-fee", "4",
                      "--chain-id", "itc-wallet", "--out", q(out)})
                 .exit_code,
             0);
    const std::string tx_file = path("transfer.json");
    Run r = itc_cli({"tx", "transfer", "--genesis", q(out + "/genesis.json"), "--key",
                     q(out + "/account-0.pem"), "--to", q(out + "/account-1.pem"), "--amount", "7",
                     "--nonce", "4", "--out", q(tx_file)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.all()));
    const auto tx = read_json<v1::Transaction>(tx_file);
    QVERIFY2(r.err.contains(q(crypto::to_hex(ledger::tx_id(tx)))), qPrintable(r.all()));
    QVERIFY(ledger::check_tx_signature("itc-wallet", tx, false).ok());
    QVERIFY(!ledger::check_tx_signature("itc-other", tx, false).ok());
    QCOMPARE(tx.sender(),
             crypto::Ed25519PrivateKey::load_pem_file(out + "/account-0.pem")->public_key());
    QCOMPARE(tx.transfer().to(), *crypto::load_public_key(out + "/account-1.pem"));
    QCOMPARE(tx.transfer().amount(), 7u);
    QCOMPARE(tx.fee(), 4u);
    QCOMPARE(tx.nonce(), 4u);

    const std::string device_hex = crypto::to_hex(test::key_from('d').public_key());
    const std::string reg_file = path("register.json");
    r = itc_cli({"tx", "register-device", "--chain-id", "itc-wallet", "--fee", "9", "--key",
                 q(out + "/account-0.pem"), "--device-id", "lamp-7", "--device-key", q(device_hex),
                 "--profile", "acme-lamp-v2", "--nonce", "5", "--out", q(reg_file)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.all()));
    const auto reg = read_json<v1::Transaction>(reg_file);
    QVERIFY(ledger::check_tx_signature("itc-wallet", reg, false).ok());
    QCOMPARE(reg.register_device().device_id(), std::string("lamp-7"));
    QCOMPARE(reg.register_device().device_public_key(), test::key_from('d').public_key());
    QCOMPARE(reg.fee(), 9u);

    const std::string move_file = path("move.json");
    r = itc_cli({"tx", "transfer-device", "--genesis", q(out + "/genesis.json"), "--key",
                 q(out + "/account-0.pem"), "--device-id", "lamp-7", "--new-owner",
                 q(out + "/account-1.pem"), "--nonce", "6", "--out", q(move_file)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.all()));
    const auto move = read_json<v1::Transaction>(move_file);
    QVERIFY(ledger::check_tx_signature("itc-wallet", move, false).ok());
    QCOMPARE(move.transfer_device().new_owner(), *crypto::load_public_key(out + "/account-1.pem"));
  }

  void validatorsApproveAndTxReconfigureMakeAChangeTheChainAccepts() {
    const std::string net = path("net-epochs");
    QCOMPARE(itc_cli({"network", "init", "--validators", "4", "--accounts", "1", "--chain-id",
                      "itc-epochs", "--out", q(net)})
                 .exit_code,
             0);
    const std::string genesis_file = net + "/genesis.json";
    const v1::Genesis genesis = *ledger::load_genesis(genesis_file);
    // The proposal: validator-3's key rotated (same name and address).
    v1::Reconfigure proposal;
    proposal.set_epoch(1);
    *proposal.mutable_validators() = genesis.validators();
    proposal.mutable_validators(3)->set_public_key(test::key_from('R').public_key());
    const std::string file = path("proposal.json");
    write_json(file, proposal);

    auto approve = [&](const std::string& key) {
      return itc_cli(
          {"validators", "approve", q(file), "--key", q(key), "--genesis", q(genesis_file)});
    };
    Run r = approve(net + "/account-0.pem");
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("is not a validator of epoch 0"), qPrintable(r.all()));
    for (int i = 0; i < 3; ++i) {
      r = approve(net + "/validator-" + std::to_string(i) + ".pem");
      QVERIFY2(r.exit_code == 0, qPrintable(r.all()));
    }
    QVERIFY2(r.err.contains("3 of the 3 approvals it needs"), qPrintable(r.all()));
    r = approve(net + "/validator-1.pem");
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("validator-1 has already approved"), qPrintable(r.all()));

    const std::string tx_file = path("reconfigure-tx.json");
    r = itc_cli({"tx", "reconfigure", "--proposal", q(file), "--genesis", q(genesis_file), "--key",
                 q(net + "/account-0.pem"), "--nonce", "1", "--out", q(tx_file)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.all()));
    const auto tx = read_json<v1::Transaction>(tx_file);
    QVERIFY(ledger::check_tx_signature("itc-epochs", tx, false).ok());
    // The chain's own rules accept it: the change is pending for the next boundary.
    ledger::LedgerState state(genesis);
    auto draft = state.begin_block("");
    const Status applied = draft.apply(tx);
    QVERIFY2(applied.ok(), applied.message().c_str());
    state.push_pending(std::move(draft));
    (void)state.commit_oldest();
    QCOMPARE(state.pending_validators()->validators(3).public_key(),
             test::key_from('R').public_key());
    QCOMPARE(state.pending_validators()->first_height(), std::uint64_t{101});
  }

  void txRefusesBadInputNamingIt() {
    Run no_chain =
        itc_cli({"tx", "transfer", "--key", q(path("net-tx/account-0.pem")), "--to",
                 q(path("net-tx/account-1.pem")), "--amount", "1", "--nonce", "1", "--out", "-"});
    QCOMPARE(no_chain.exit_code, 1);
    QVERIFY2(no_chain.err.contains("--genesis"), qPrintable(no_chain.all()));
    Run bad_to =
        itc_cli({"tx", "transfer", "--chain-id", "c", "--key", q(path("net-tx/account-0.pem")),
                 "--to", "12ab", "--amount", "1", "--nonce", "1", "--out", "-"});
    QCOMPARE(bad_to.exit_code, 1);
    QVERIFY2(bad_to.err.contains("--to"), qPrintable(bad_to.all()));
    Run mismatch =
        itc_cli({"tx", "transfer", "--chain-id", "other", "--genesis",
                 q(path("net-tx/genesis.json")), "--key", q(path("net-tx/account-0.pem")), "--to",
                 q(path("net-tx/account-1.pem")), "--amount", "1", "--nonce", "1", "--out", "-"});
    QCOMPARE(mismatch.exit_code, 1);
    QVERIFY2(mismatch.err.contains("differs"), qPrintable(mismatch.all()));
  }

  // ---- verify-qc on a block file -------------------------------------------------------

  void verifyQcAcceptsACertifiedBlock() {
    const std::string file = path("block1.json");
    write_json(file, block1_.block);
    Run r = itc_cli({"chain", "verify-qc", "--genesis", q(genesis_file_), "--block", q(file)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.all()));
    QVERIFY2(r.out.startsWith("VALID: block 1"), qPrintable(r.all()));
    QVERIFY2(r.out.contains("3 signatures (quorum 3 of 4"), qPrintable(r.all()));
  }

  void verifyQcRejectsTamperedBlocksWithTheReason() {
    struct Case {
      const char* name;
      std::function<void(v1::Block&)> tamper;
      const char* reason;
    };
    const std::vector<Case> cases = {
        {"amount raised",
         [](v1::Block& b) { b.mutable_transactions(0)->mutable_transfer()->set_amount(900); },
         "tx_root"},
        {"state root edited",
         [](v1::Block& b) {
           b.mutable_header()->set_state_root(std::string(32, '\x01'));
           b.set_hash(block_hash(b.header()));  // rehashed: only the QC can tell
         },
         "is for block"},
        {"forged signature",
         [](v1::Block& b) {
           std::string sig = b.qc().signatures(2).signature();
           sig[0] = static_cast<char>(sig[0] ^ 0x40);
           b.mutable_qc()->mutable_signatures(2)->set_signature(sig);
         },
         "validator 2 (validator-2) does not verify"},
        {"too few signers",
         [](v1::Block& b) { b.mutable_qc()->mutable_signatures()->RemoveLast(); },
         "2 distinct signers"},
        {"no certificate", [](v1::Block& b) { b.clear_qc(); }, "no quorum certificate"},
    };
    for (const Case& c : cases) {
      v1::Block block = block1_.block;
      c.tamper(block);
      const std::string file = path("tampered.json");
      write_json(file, block);
      Run r = itc_cli({"chain", "verify-qc", "--genesis", q(genesis_file_), "--block", q(file)});
      QVERIFY2(r.exit_code == 1, c.name);
      QVERIFY2(r.out.startsWith("INVALID: block 1"), qPrintable(QString(c.name) + ": " + r.all()));
      QVERIFY2(r.out.contains(c.reason), qPrintable(QString(c.name) + ": " + r.all()));
    }
    QVERIFY(write_file_atomically(path("junk.json"), "{\"header\": 5}", 0644).ok());
    Run junk = itc_cli(
        {"chain", "verify-qc", "--genesis", q(genesis_file_), "--block", q(path("junk.json"))});
    QCOMPARE(junk.exit_code, 1);
    QVERIFY2(junk.err.contains("junk.json"), qPrintable(junk.all()));
    Run both = itc_cli({"chain", "verify-qc", "--genesis", q(genesis_file_)});
    QCOMPARE(both.exit_code, 2);  // usage: --height or --block
  }

  // ---- against a node ------------------------------------------------------------------

  void chainCommandsReadTheNode() {
    const QStringList access = {"--node", q(node_.url()), "--token-file", q(node_.token_file())};
    Run head = itc_cli(QStringList{"chain", "head"} + access);
    QVERIFY2(head.exit_code == 0, qPrintable(head.all()));
    QVERIFY2(head.out.contains(q("hash        " + crypto::to_hex(block1_.block.hash()))),
             qPrintable(head.all()));

    Run block = itc_cli(QStringList{"chain", "block", "1"} + access);
    QVERIFY2(block.exit_code == 0, qPrintable(block.all()));
    QVERIFY2(block.out.contains(q(crypto::to_hex(ledger::tx_id(block1_.block.transactions(0))))),
             qPrintable(block.all()));
    QVERIFY2(block.out.contains("register-device lamp-0001"), qPrintable(block.all()));

    Run json = itc_cli(QStringList{"chain", "block", "1", "--json"} + access);
    v1::Block parsed;
    QVERIFY(pb::util::JsonStringToMessage(json.out.toStdString(), &parsed).ok());
    QVERIFY(pb::util::MessageDifferencer::Equals(parsed, block1_.block));

    Run verify = itc_cli(
        QStringList{"chain", "verify-qc", "--genesis", q(genesis_file_), "--height", "1"} + access);
    QVERIFY2(verify.exit_code == 0 && verify.out.startsWith("VALID"), qPrintable(verify.all()));
    Run missing = itc_cli(
        QStringList{"chain", "verify-qc", "--genesis", q(genesis_file_), "--height", "9"} + access);
    QCOMPARE(missing.exit_code, 1);
    QVERIFY2(missing.err.contains("/v1/ledger/blocks/9: HTTP 404"), qPrintable(missing.all()));
  }

  void txTakesTheNextNonceFromTheNode() {
    const QStringList access = {"--node", q(node_.url()), "--token-file", q(node_.token_file())};
    const std::string alice_pem = path("alice.pem");
    QVERIFY(kAlice.save_pem_file(alice_pem).ok());
    const std::string bob_hex = crypto::to_hex(kBob.public_key());
    const std::string file = path("next.json");
    Run r =
        itc_cli(QStringList{"tx", "transfer", "--genesis", q(genesis_file_), "--key", q(alice_pem),
                            "--to", q(bob_hex), "--amount", "1", "--out", q(file)} +
                access);
    QVERIFY2(r.exit_code == 0, qPrintable(r.all()));
    QCOMPARE(read_json<v1::Transaction>(file).nonce(), 3u);  // Alice used 1 and 2

    const std::string carol_pem = path("carol.pem");
    QVERIFY(test::key_from('c').save_pem_file(carol_pem).ok());
    r = itc_cli(QStringList{"tx", "transfer", "--genesis", q(genesis_file_), "--key", q(carol_pem),
                            "--to", q(bob_hex), "--amount", "1", "--out", q(file)} +
                access);
    QVERIFY2(r.exit_code == 0, qPrintable(r.all()));
    QCOMPARE(read_json<v1::Transaction>(file).nonce(), 1u);  // a new account starts at 1

    // Submitting needs the ordering plugin's TransactionPool, which this node lacks.
    Run send = itc_cli(QStringList{"tx", "transfer", "--genesis", q(genesis_file_), "--key",
                                   q(alice_pem), "--to", q(bob_hex), "--amount", "1"} +
                       access);
    QCOMPARE(send.exit_code, 1);
    QVERIFY2(send.out.startsWith("tx "), qPrintable(send.all()));
    QVERIFY2(send.err.contains("HTTP 503") && send.err.contains("itc.transaction-pool.v1"),
             qPrintable(send.all()));
  }

  void unreachableOrUnauthorisedNodeIsNamed() {
    const std::string wrong_token = path("wrong.token");
    QVERIFY(write_file_atomically(wrong_token, std::string(64, 'a'), 0600).ok());
    Run denied =
        itc_cli({"chain", "head", "--node", q(node_.url()), "--token-file", q(wrong_token)});
    QCOMPARE(denied.exit_code, 1);
    QVERIFY2(denied.err.contains("HTTP 401") && denied.err.contains("does not match"),
             qPrintable(denied.all()));
    Run away =
        itc_cli({"chain", "head", "--node", "http://127.0.0.1:1", "--token-file", q(wrong_token)});
    QCOMPARE(away.exit_code, 1);
    QVERIFY2(away.err.contains("http://127.0.0.1:1/v1/ledger/head"), qPrintable(away.all()));
    Run no_token = itc_cli(
        {"chain", "head", "--node", q(node_.url()), "--token-file", q(path("missing.token"))});
    QCOMPARE(no_token.exit_code, 1);
    QVERIFY2(no_token.err.contains("missing.token"), qPrintable(no_token.all()));
  }
};

QTEST_GUILESS_MAIN(ChainCliTest)
#include "chain_cli_test.moc"
