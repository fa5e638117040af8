// itc-light following validator-set changes through a real node's admin API: a node
// (store-sqlite behind the admin server) holds a chain whose set changes twice
// (epoch_chain.hpp); `itc-light sync` fetches GET /v1/light/updates, applies the two
// epoch updates in order before the header, and `itc-light balance` then verifies bob's
// balance in epoch 2. A node serving a forged update list is refused with the reason.
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "epoch_chain.hpp"
#include "itc/file_io.hpp"
#include "ledger_node.hpp"
#include "lying_node.hpp"

using namespace itc;
using namespace itc::test;

namespace {

struct Run {
  int code = -1;
  QString out;
};

QString q(const std::string& s) { return QString::fromStdString(s); }

std::string be32(std::size_t v) {
  std::string out;
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

}  // namespace

class LightEpochNodeTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  EpochChain chain_;
  itc::testing::LedgerNode node_;

  Run light(const QStringList& args, const QString& state) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("ITC_LIGHT_STATE", dir_.filePath(state));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(ITC_LIGHT_BIN, args);
    if (!p.waitForFinished(60000)) return {};
    return Run{p.exitCode(), QString::fromUtf8(p.readAll())};
  }
  QStringList at(const QStringList& args, const std::string& url) {
    return args + QStringList{"--node", q(url), "--token-file", q(node_.token_file())};
  }
  QString genesis_file() { return dir_.filePath("genesis.json"); }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY(write_file_atomically(genesis_file().toStdString(),
                                  ledger::genesis_to_json(chain_.genesis), 0644)
                .ok());
    Status st = node_.start();
    QVERIFY2(st.ok(), st.ToString().c_str());
    for (std::size_t i = 0; i < chain_.blocks.size(); ++i) {
      st = node_.store()->append(chain_.blocks[i], chain_.deltas[i]);
      QVERIFY2(st.ok(), st.ToString().c_str());
    }
  }
  void cleanupTestCase() { node_.stop(); }

  void syncAppliesBothEpochUpdatesThenVerifiesABalanceInTheNewest() {
    // The fixture's blocks are dated 2024-01-01, older than any trusting period measured
    // from today: no limit here (light_network_test checks the period on a live chain).
    Run r =
        light({"init", "--genesis", genesis_file(), "--trust-period-days", "0"}, "client.state");
    QVERIFY2(r.code == 0, qPrintable(r.out));
    r = light(at({"sync"}, node_.url()), "client.state");
    QVERIFY2(r.code == 0, qPrintable(r.out));
    QVERIFY2(r.out.contains("VERIFIED epoch update: epoch 1, 4 validators, from height 4"),
             qPrintable(r.out));
    QVERIFY2(r.out.contains("VERIFIED epoch update: epoch 2, 4 validators, from height 8"),
             qPrintable(r.out));
    QVERIFY2(r.out.contains("VERIFIED header: height 9"), qPrintable(r.out));
    const std::string bob = crypto::to_hex(chain_.bob.public_key());
    r = light(at({"balance", q(bob)}, node_.url()), "client.state");
    const auto balance = chain_.state.account(chain_.bob.public_key())->balance();
    QVERIFY2(r.code == 0 && r.out.contains("VERIFIED") &&
                 r.out.contains(": " + QString::number(balance) + " (nonce"),
             qPrintable(r.out));
    // Up to date: the node has no update past epoch 2, and sync still verifies.
    r = light(at({"sync"}, node_.url()), "client.state");
    QVERIFY2(r.code == 0 && !r.out.contains("epoch update"), qPrintable(r.out));
  }

  void aForgedUpdateListIsRefusedWithTheReason() {
    Run r = light({"init", "--genesis", genesis_file()}, "lied-to.state");
    QVERIFY2(r.code == 0, qPrintable(r.out));
    test::LyingNode liar;
    const std::string target = "/v1/light/updates?from_epoch=0";
    // The real update into epoch 1 with another key for validator-3.
    std::string forged = chain_.update(1);
    forged.replace(forged.size() - 40, 32, key_from('E').public_key());
    liar.serve(target, be32(1) + be32(forged.size()) + forged);
    r = light(at({"sync"}, liar.url()), "lied-to.state");
    QVERIFY2(r.code == 1 && r.out.contains("REFUSED epoch update into epoch 1") &&
                 r.out.contains("next_set_mismatch"),
             qPrintable(r.out));
    liar.serve(target, be32(2) + be32(5) + "short");
    r = light(at({"sync"}, liar.url()), "lied-to.state");
    QVERIFY2(r.code == 1 && r.out.contains("REFUSED epoch update"), qPrintable(r.out));
  }
};

QTEST_GUILESS_MAIN(LightEpochNodeTest)
#include "light_epoch_node_test.moc"
