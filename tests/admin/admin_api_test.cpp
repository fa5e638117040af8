// The admin API as Studio and scripts use it: a real Node (no plugins) from a YAML file,
// a real AdminServer on a loopback socket, requests from Qt's HTTP client.
#include <sys/stat.h>

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <fstream>
#include <optional>

#include "host/admin_server.hpp"
#include "host/metrics_registry.hpp"
#include "host/node.hpp"
#include "in_process_node.hpp"
#include "itc/abi.hpp"

using itc::host::AdminServer;
using itc::host::Node;

namespace {

struct HttpReply {
  int status = 0;
  QNetworkReply::NetworkError error = QNetworkReply::NoError;
  QByteArray body;
  QByteArray content_type;
  QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

}  // namespace

class AdminApiTest : public QObject {
  Q_OBJECT

 private:
  itc::testing::InProcessNode fixture_;
  Node* node_ = nullptr;
  AdminServer* server_ = nullptr;
  QByteArray token_;
  QString base_;
  QNetworkAccessManager nam_;

  QNetworkRequest request(const QString& path, std::optional<QByteArray> auth) {
    QNetworkRequest req(QUrl(base_ + path));
    if (auth) req.setRawHeader("Authorization", *auth);
    req.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    return req;
  }

  HttpReply call(const QByteArray& verb, const QString& path, const QByteArray& body = {},
                 std::optional<QByteArray> auth = std::nullopt, bool use_token = true) {
    if (!auth && use_token) auth = "Bearer " + token_;
    QNetworkReply* r = nam_.sendCustomRequest(request(path, auth), verb, body);
    QEventLoop loop;
    QTimer::singleShot(15000, &loop, &QEventLoop::quit);
    connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!r->isFinished()) loop.exec();
    HttpReply out;
    if (!r->isFinished()) {
      r->abort();
      out.error = QNetworkReply::TimeoutError;
    } else {
      out.error = r->error();
    }
    out.status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = r->readAll();
    out.content_type = r->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    r->deleteLater();
    return out;
  }

 private slots:
  void initTestCase() {
    itc::Status st = fixture_.create("node: {name: t, data_dir: " + fixture_.data_dir() +
                                         ", admin: {listen: \"127.0.0.1:0\"}}\n",
                                     false);
    QVERIFY2(st.ok(), st.ToString().c_str());
    node_ = fixture_.node.get();
    QVERIFY2(node_->start().ok(), "a node without plugins starts");
    st = fixture_.serve_admin();  // the node's own token, created in its data dir
    QVERIFY2(st.ok(), st.ToString().c_str());
    server_ = fixture_.server.get();
    token_ = QByteArray::fromStdString(fixture_.token());
    QVERIFY(server_->port() != 0);
    base_ = QString("http://127.0.0.1:%1").arg(server_->port());
    nam_.setProxy(QNetworkProxy::NoProxy);
  }

  void cleanupTestCase() { fixture_.stop(); }

  void tokenFileIsPrivateAndStable() {
    const std::string path = node_->data_dir() + "/admin.token";
    struct stat st {};
    QCOMPARE(::stat(path.c_str(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    QCOMPARE(token_.size(), 64);
    QVERIFY(QRegularExpression("^[0-9a-f]{64}$").match(QString::fromLatin1(token_)).hasMatch());
    auto again = itc::host::load_or_create_admin_token(node_->data_dir());
    QVERIFY(again.ok());
    QCOMPARE(QByteArray::fromStdString(*again), token_);
  }

  void malformedTokenFileIsRefused() {
    QTemporaryDir other;
    std::ofstream(other.filePath("admin.token").toStdString()) << "not-a-token\n";
    auto t = itc::host::load_or_create_admin_token(other.path().toStdString());
    QVERIFY(!t.ok());
    QVERIFY(t.status().message().find("admin.token") != std::string::npos);
  }

  void healthzNeedsNoToken() {
    HttpReply r = call("GET", "/healthz", {}, std::nullopt, false);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("ok\n"));
  }

  void noTokenIs401() {
    HttpReply r = call("GET", "/v1/node", {}, std::nullopt, false);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.json()["code"].toString(), QString("PermissionDenied"));
    QVERIFY2(r.json()["error"].toString().contains("Authorization"), r.body.constData());
  }

  void wrongTokenIs401() {
    QByteArray wrong = token_;
    wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
    HttpReply r = call("GET", "/v1/node", {}, "Bearer " + wrong);
    QCOMPARE(r.status, 401);
    QVERIFY2(r.json()["error"].toString().contains("does not match"), r.body.constData());
    QCOMPARE(call("GET", "/v1/node", {}, "Basic " + token_).status, 401);
    QCOMPARE(call("GET", "/metrics", {}, "Bearer ").status, 401);
  }

  void rightTokenGetsNodeInfo() {
    HttpReply r = call("GET", "/v1/node");
    QCOMPARE(r.status, 200);
    QVERIFY(r.content_type.startsWith("application/json"));
    QCOMPARE(r.json()["name"].toString(), QString("t"));
    QCOMPARE(r.json()["abiMajor"].toInt(), static_cast<int>(itc::kAbiMajor));
    HttpReply plugins = call("GET", "/v1/plugins");
    QCOMPARE(plugins.status, 200);
    QVERIFY(plugins.json()["plugins"].isArray());
    QCOMPARE(plugins.json()["plugins"].toArray().size(), 0);
  }

  void otherReadEndpointsAnswer() {
    HttpReply head = call("GET", "/v1/ledger/head");
    QCOMPARE(head.status, 200);
    QCOMPARE(head.json()["hasBlock"].toBool(true), false);
    HttpReply bus = call("GET", "/v1/bus");
    QCOMPARE(bus.status, 200);
    QVERIFY(bus.json()["topics"].isArray());
    HttpReply recent = call("GET", "/v1/readings/recent?max=5");
    QCOMPARE(recent.status, 200);
    QVERIFY(recent.json()["readings"].isArray());
    HttpReply bad = call("GET", "/v1/readings/recent?max=lots");
    QCOMPARE(bad.status, 400);
    QVERIFY2(bad.json()["error"].toString().contains("max"), bad.body.constData());
    QCOMPARE(call("GET", "/v1/nothing-here").status, 404);
    QCOMPARE(call("POST", "/v1/node").status, 405);
  }

  void metricsPassPromtool() {
    node_->metrics().counter("test-plugin", "requests_served", "Requests served").add(3);
    HttpReply r = call("GET", "/metrics");
    QCOMPARE(r.status, 200);
    QVERIFY(r.content_type.startsWith("text/plain; version=0.0.4"));
    QVERIFY2(r.body.contains("itc_requests_served_total{plugin=\"test-plugin\"} 3\n"),
             r.body.constData());
    QProcess promtool;
    promtool.start("promtool", {"check", "metrics"});
    QVERIFY2(promtool.waitForStarted(10000), "promtool (Debian package prometheus) must run");
    promtool.write(r.body);
    promtool.closeWriteChannel();
    QVERIFY(promtool.waitForFinished(30000));
    QVERIFY2(promtool.exitCode() == 0,
             (promtool.readAllStandardOutput() + promtool.readAllStandardError()).constData());
  }

  void malformedJsonIs400NamingTheProblem() {
    HttpReply r = call("POST", "/v1/commands", "{\"deviceId\": \"lamp-1\", ");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json()["code"].toString(), QString("InvalidArgument"));
    QVERIFY2(r.json()["error"].toString().contains("malformed Command JSON"), r.body.constData());

    HttpReply unknown = call("POST", "/v1/plugins/x/swap", "{\"packige\": \"a.itcpkg\"}");
    QCOMPARE(unknown.status, 400);
    QVERIFY2(unknown.json()["error"].toString().contains("packige"), unknown.body.constData());

    HttpReply empty = call("POST", "/v1/plugins/load", "");
    QCOMPARE(empty.status, 400);
    QVERIFY2(empty.json()["error"].toString().contains("empty"), empty.body.constData());
  }

  void refusedCommandIs403WithItsResult() {
    HttpReply r = call("POST", "/v1/commands",
                       R"({"deviceId": "lamp-1", "action": "ACTION_ON", "nonce": "1"})");
    QCOMPARE(r.status, 403);
    QCOMPARE(r.json()["deviceId"].toString(), QString("lamp-1"));
    QCOMPARE(r.json()["accepted"].toBool(true), false);
    QVERIFY(!r.json()["reason"].toString().isEmpty());
  }

  void configValidationReportsIssues() {
    HttpReply ok = call("POST", "/v1/config/validate", "node: {name: other}\n");
    QCOMPARE(ok.status, 200);
    QVERIFY2(ok.json()["ok"].toBool(), ok.body.constData());
    HttpReply bad = call("POST", "/v1/config/validate", "node: {name: x, bogus_key: 1}\n");
    QCOMPARE(bad.status, 200);
    QCOMPARE(bad.json()["ok"].toBool(true), false);
    QVERIFY(bad.json()["issues"].toArray().size() >= 1);
  }

  void bodyOverOneMebibyteIs413() {
    HttpReply r = call("POST", "/v1/config/validate", QByteArray(1536 * 1024, 'x'));
    QCOMPARE(r.status, 413);
    QVERIFY2(r.json()["error"].toString().contains("1 MiB"), r.body.constData());
    QCOMPARE(call("GET", "/healthz").status, 200);  // the server is still fine
  }

  void eventStreamDeliversNodeEvents() {
    QNetworkRequest req = request("/v1/events", "Bearer " + token_);
    QNetworkReply* stream = nam_.get(req);
    QByteArray received;
    connect(stream, &QNetworkReply::readyRead, this, [&] { received += stream->readAll(); });
    QTRY_VERIFY_WITH_TIMEOUT(received.contains(": subscribed\n\n"), 10000);
    QCOMPARE(stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QVERIFY(stream->header(QNetworkRequest::ContentTypeHeader)
                .toByteArray()
                .startsWith("text/event-stream"));

    // Loading a package that does not exist fails, and the node reports the plugin's state.
    HttpReply load = call("POST", "/v1/plugins/load",
                          R"({"name": "ghost", "package": "/nonexistent/ghost.itcpkg"})");
    QVERIFY2(load.status >= 400 || load.status == 200, load.body.constData());
    QTRY_VERIFY_WITH_TIMEOUT(received.contains("\"ghost\""), 10000);

    bool found = false;
    for (const QByteArray& line : received.split('\n')) {
      if (!line.startsWith("data: ")) continue;
      QJsonParseError err{};
      QJsonObject event = QJsonDocument::fromJson(line.mid(6), &err).object();
      QCOMPARE(err.error, QJsonParseError::NoError);
      QVERIFY(event.contains("atUs"));
      if (event["plugin"].toObject()["name"].toString() == "ghost") found = true;
    }
    QVERIFY2(found, received.constData());
    stream->abort();
    stream->deleteLater();
  }

  void eventStreamNeedsToken() {
    HttpReply r = call("GET", "/v1/events", {}, std::nullopt, false);
    QCOMPARE(r.status, 401);
  }

  // Last: stopping the server ends open event streams and closes the port.
  void stopClosesStreamsAndPort() {
    QNetworkReply* stream = nam_.get(request("/v1/events", "Bearer " + token_));
    QByteArray received;
    connect(stream, &QNetworkReply::readyRead, this, [&] { received += stream->readAll(); });
    QTRY_VERIFY_WITH_TIMEOUT(received.contains(": subscribed"), 10000);
    QElapsedTimer t;
    t.start();
    server_->stop();
    QVERIFY2(t.elapsed() < 5000, "stop() must not wait for clients");
    QTRY_VERIFY_WITH_TIMEOUT(stream->isFinished(), 10000);
    stream->deleteLater();
    HttpReply r = call("GET", "/healthz", {}, std::nullopt, false);
    QCOMPARE(r.error, QNetworkReply::ConnectionRefusedError);
    QVERIFY(!server_->start().ok());  // a stopped server does not restart
  }
};

QTEST_GUILESS_MAIN(AdminApiTest)
#include "admin_api_test.moc"
