// Liveness and readiness as a Kubernetes probe or a load balancer sees them: /healthz says
// the process answers, /readyz says the node does its job — started, every plugin
// running, and blocks committed while work waits. Both need no token.
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "admin_client.hpp"
#include "host/admin_server.hpp"
#include "host/node.hpp"
#include "in_process_node.hpp"
#include "itc/crypto.hpp"
#include "local_network.hpp"
#include "node_config.hpp"

using itc::host::AdminServer;
using itc::host::Node;

namespace {

struct Probe {
  int status = 0;
  QJsonObject json;
  QString not_ready() const {
    QStringList lines;
    for (const auto& v : json["notReady"].toArray()) lines << v.toString();
    return lines.join('\n');
  }
};

// An anonymous GET, as a probe sends it.
Probe probe(const QString& base, const QString& path) {
  QNetworkAccessManager nam;
  nam.setProxy(QNetworkProxy::NoProxy);
  QNetworkReply* r = nam.get(QNetworkRequest(QUrl(base + path)));
  QEventLoop loop;
  QTimer::singleShot(15000, &loop, &QEventLoop::quit);
  QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
  if (!r->isFinished()) loop.exec();
  Probe out;
  out.status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  out.json = QJsonDocument::fromJson(r->readAll()).object();
  delete r;
  return out;
}

// A node in this process with store-sqlite from its signed package, trusting `vendor_key`,
// and its admin server already serving (the node is not started); `base` is its URL.
struct StoreNode : itc::testing::InProcessNode {
  QString base;

  itc::Status create(const std::string& vendor_key) {
    ITC_RETURN_IF_ERROR(itc::testing::InProcessNode::create(
        "node: {name: r, data_dir: " + data_dir() +
            ", admin: {listen: \"127.0.0.1:0\"}, trusted_vendor_keys: [" + vendor_key +
            "]}\nplugins:\n  - name: store-sqlite\n    package: " +
            itc::testing::package_path("store-sqlite") + "\n",
        false));
    ITC_RETURN_IF_ERROR(serve_admin("t0ken"));
    base = QString::fromStdString(url());
    return itc::Status::Ok();
  }
};

}  // namespace

class AdminReadinessTest : public QObject {
  Q_OBJECT

 private slots:
  void notReadyBeforeStartReadyOnceRunning() {
    StoreNode n;
    itc::Status st = n.create(itc::testing::env_or("ITC_VENDOR_KEY"));
    QVERIFY2(st.ok(), st.ToString().c_str());
    Probe before = probe(n.base, "/readyz");
    QCOMPARE(before.status, 503);
    QCOMPARE(before.json["ready"].toBool(true), false);
    QVERIFY2(before.not_ready().contains("not started"), qPrintable(before.not_ready()));
    QCOMPARE(probe(n.base, "/healthz").status, 200);  // alive all the same

    st = n.node->start();
    QVERIFY2(st.ok(), st.ToString().c_str());
    Probe after = probe(n.base, "/readyz");
    QCOMPARE(after.status, 200);
    QCOMPARE(after.json["ready"].toBool(), true);
    QCOMPARE(after.json["notReady"].toArray().size(), 0);

    // An operator unloading a plugin on purpose does not make the node unready.
    QVERIFY(n.node->unload("store-sqlite").ok());
    QCOMPARE(probe(n.base, "/readyz").status, 200);
    n.server->stop();
    QVERIFY(n.node->shutdown().ok());
  }

  void notReadyWithAFailedPlugin() {
    StoreNode n;
    const std::string stranger =
        itc::crypto::to_hex(itc::crypto::Ed25519PrivateKey::generate()->public_key());
    itc::Status st = n.create(stranger);  // the package is signed by someone else
    QVERIFY2(st.ok(), st.ToString().c_str());
    QVERIFY(!n.node->start().ok());
    Probe r = probe(n.base, "/readyz");
    QCOMPARE(r.status, 503);
    QVERIFY2(r.not_ready().contains("plugin store-sqlite is FAILED: "), qPrintable(r.not_ready()));
    QCOMPARE(probe(n.base, "/healthz").status, 200);
    QCOMPARE(probe(n.base, "/readyz?x=1").status, 503);  // a query changes nothing
  }

  // Four PBFT validators with lamps: ready while they commit; two of them gone, the
  // others cannot commit the readings their lamps keep sending and say so; back, ready.
  void notReadyWhileNoBlockCanBeCommitted() {
    itc::testing::NetworkOptions opt;
    opt.lamps = 5;
    itc::testing::LocalNetwork net(opt);
    net.start_all();
    auto ready = [&](int i) { return net.get(i, "/readyz").status == 200; };
    QVERIFY2(itc::testing::eventually([&] { return ready(0) && ready(3); }, 60000),
             net.get(0, "/readyz").body.constData());

    net.kill(1);
    net.kill(2);
    itc::testing::HttpReply stalled;
    QVERIFY2(itc::testing::eventually(
                 [&] {
                   stalled = net.get(0, "/readyz");
                   return stalled.status == 503;
                 },
                 40000),
             stalled.body.constData());
    const QString why = QJsonDocument::fromJson(stalled.body)["notReady"].toArray()[0].toString();
    qInfo("validator-0 not ready: %s", qPrintable(why));
    QVERIFY2(why.startsWith("not committing: readings have waited"), qPrintable(why));
    QVERIFY(net.get(0, "/healthz").status == 200);  // alive, just not useful

    net.start(1);
    net.start(2);
    QVERIFY2(itc::testing::eventually([&] { return ready(0) && ready(1); }, 120000),
             net.get(0, "/readyz").body.constData());
  }

  // No lamps: the work is one transaction submitted while two of four validators are
  // down. It makes the node unready while it waits, and once its verdict comes (pbft
  // gives up after request_timeout_ms) nothing waits and the node is ready again.
  void notReadyWhileATransactionWaitsForItsVerdict() {
    itc::testing::NetworkOptions opt;
    opt.pbft_extra = ", request_timeout_ms: 15000";
    itc::testing::LocalNetwork net(opt);
    net.start_all();
    auto ready = [&] { return net.get(0, "/readyz").status == 200; };
    QVERIFY2(itc::testing::eventually(ready, 60000), net.get(0, "/readyz").body.constData());
    net.kill(1);
    net.kill(2);
    QVERIFY(ready());  // nothing waits

    itc::testing::HttpReply during;
    QTimer::singleShot(12000, [&] { during = net.get(0, "/readyz"); });
    itc::testing::HttpReply verdict = net.submit(0, net.transfer(0, 1, 5, 1));
    // No verdict: the pool stopped waiting, and the transaction may still commit.
    QVERIFY2(verdict.status == 504, verdict.body.constData());
    QVERIFY2(verdict.body.contains("undecided: not committed within"), verdict.body.constData());
    QCOMPARE(during.status, 503);
    const QString why = QJsonDocument::fromJson(during.body)["notReady"].toArray()[0].toString();
    QVERIFY2(why.startsWith("not committing: 1 transaction(s) have waited"), qPrintable(why));
    QVERIFY2(itc::testing::eventually(ready, 5000), net.get(0, "/readyz").body.constData());
  }
};

QTEST_GUILESS_MAIN(AdminReadinessTest)
#include "admin_readiness_test.moc"
