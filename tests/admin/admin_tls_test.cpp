// The admin API off loopback (issue 16 item 2), against real itc-node processes with
// certificates made in the test (TestCertificates): HTTPS with TLS 1.3 only, the config
// check refusing what would not serve, the CLI verifying the node's certificate (CA or
// pinned fingerprint), mTLS, a certificate rotated on disk without a restart, the expiry
// metric, and tokens with roles (read, operate, admin), revoked, never logged.
#include <google/protobuf/util/json_util.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QtTest>
#include <cstdio>
#include <filesystem>

#include "eventually.hpp"
#include "free_port.hpp"
#include "https_client.hpp"
#include "local_network.hpp"
#include "node_config.hpp"
#include "node_process.hpp"
#include "test_certificates.hpp"

using namespace itc::testing;

namespace {

// `itc` with `args`: its exit code, stdout and stderr.
struct CliRun {
  int code = -1;
  QString out;
  QString err;
};
CliRun itc_cli(const QStringList& args) {
  QProcess p;
  p.start(QString::fromStdString(env_or("ITC_BUILD_DIR", ".") + "/core/itc"), args);
  CliRun r;
  if (!p.waitForFinished(30000)) return r;
  r.code = p.exitCode();
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

}  // namespace

class AdminTlsTest : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::string d_;
  std::unique_ptr<TestCertificates> ca_;        // signs the nodes' certificates
  std::unique_ptr<TestCertificates> other_ca_;  // signs nothing the node trusts (or clients)
  PemPair server_;

  std::string path(const std::string& name) const { return d_ + "/" + name; }

  // `config` (a NodeConfig's YAML) with its admin section replaced by `admin` (flow map).
  static std::string with_admin(const NodeConfig& config, const std::string& admin) {
    std::string yaml = config.yaml();
    const std::string plain =
        "admin: {listen: 127.0.0.1:" + std::to_string(config.admin_port()) + "}";
    const std::size_t at = yaml.find(plain);
    if (at == std::string::npos) qFatal("NodeConfig's admin line changed");
    return yaml.replace(at, plain.size(), "admin: " + admin);
  }

  // A node named `stem` serving HTTPS with `tls` (a flow map) and `plugins`, started; nullptr
  // if it does not answer /healthz to `client` within 20 s.
  std::unique_ptr<NodeProcess> https_node(const std::string& stem, const std::string& tls,
                                          const HttpsClient& client,
                                          const std::vector<std::string>& plugins = {}) {
    auto node = std::make_unique<NodeProcess>(d_, stem);
    NodeConfig config(stem, free_port());
    config.data_dir(stem + "-data");
    for (const std::string& p : plugins) config.plugin(p);
    const std::string listen = "127.0.0.1:" + std::to_string(config.admin_port());
    node->write_config(with_admin(config, "{listen: \"" + listen + "\", tls: " + tls + "}"),
                       config.admin_port(), config.data_dir());
    if (!node->start({"--log-level", "debug"})) return nullptr;
    const std::uint16_t port = config.admin_port();
    if (!eventually([&] { return client.call(port, "GET", "/healthz", "").status == 200; })) {
      qWarning("%s", qPrintable(node->log()));
      return nullptr;
    }
    return node;
  }
  std::string server_tls() const {
    return "{cert_file: " + server_.cert_file + ", key_file: " + server_.key_file + "}";
  }
  QStringList cli_node(NodeProcess& node) const {
    return {"--node", QString("https://127.0.0.1:%1").arg(node.admin_port()), "--token-file",
            QString::fromStdString(node.path(node.data_dir() + "/admin.token"))};
  }
  // The value of itc_admin_certificate_expiry_seconds on the node's /metrics (-1 if absent).
  static double expiry_metric(const QByteArray& metrics) {
    for (const QByteArray& line : metrics.split('\n')) {
      if (line.startsWith("itc_admin_certificate_expiry_seconds{")) {
        return line.mid(line.lastIndexOf(' ') + 1).toDouble();
      }
    }
    return -1;
  }
  static qint64 not_after(const std::string& cert_file) {
    return QSslCertificate::fromPath(QString::fromStdString(cert_file))
        .at(0)
        .expiryDate()
        .toSecsSinceEpoch();
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    d_ = dir_.path().toStdString();
    ca_ = std::make_unique<TestCertificates>(d_, "site-ca");
    other_ca_ = std::make_unique<TestCertificates>(d_, "other-ca");
    server_ = ca_->issue("node-a");
  }

  void configCheckRefusesWhatWouldNotServe() {
    const PemPair b = ca_->issue("node-b");
    const PemPair expired = ca_->issue("expired", -30, -1);
    struct Case {
      std::string admin;
      std::string field;
      std::string says;
    };
    const std::string listen = "listen: \"127.0.0.1:" + std::to_string(free_port()) + "\"";
    const std::vector<Case> cases = {
        {"{" + listen + ", tls: {cert_file: " + path("missing.pem") +
             ", key_file: " + server_.key_file + "}}",
         "node.admin.tls.cert_file", path("missing.pem")},
        {"{" + listen + ", tls: {cert_file: " + server_.cert_file + ", key_file: " + b.key_file +
             "}}",
         "node.admin.tls.key_file", "does not match the certificate"},
        {"{" + listen + ", tls: {cert_file: " + expired.cert_file +
             ", key_file: " + expired.key_file + "}}",
         "node.admin.tls.cert_file", "expired on"},
        {"{listen: \"0.0.0.0:" + std::to_string(free_port()) + "\"}", "node.admin.listen",
         "admin.insecure_plain_http: true"},
        {"{" + listen + ", tls: {cert_file: " + server_.cert_file + "}}", "node.admin.tls",
         "key_file is not"},
    };
    for (const Case& c : cases) {
      NodeProcess node(d_, "check");
      NodeConfig config("check", free_port());
      node.write_config(with_admin(config, c.admin), config.admin_port(), config.data_dir());
      auto [code, output] = node.check_config();
      QVERIFY2(code == 1, qPrintable(output));
      QVERIFY2(output.contains(QString::fromStdString(c.field + ": ")) &&
                   output.contains(QString::fromStdString(c.says)),
               qPrintable(output));
      // Starting it is refused for the same reason.
      QVERIFY(node.start());
      QVERIFY2(eventually([&] { return !node.running(); }, 15000), qPrintable(node.log()));
      QVERIFY2(node.log().contains(QString::fromStdString(c.says)), qPrintable(node.log()));
    }
    // Plain HTTP off loopback when asked for by name.
    NodeProcess plain(d_, "plain");
    NodeConfig config("plain", free_port());
    plain.write_config(
        with_admin(config, "{listen: \"0.0.0.0:" + std::to_string(config.admin_port()) +
                               "\", insecure_plain_http: true}"),
        config.admin_port(), config.data_dir());
    QCOMPARE(plain.check_config().first, 0);
  }

  void httpsIsTls13OnlyAndExportsTheCertificateExpiry() {
    HttpsClient client(ca_->ca_file());
    auto node = https_node("tls13", server_tls(), client);
    QVERIFY(node);
    const HttpsReply info = client.call(node->admin_port(), "GET", "/v1/node", node->token());
    QCOMPARE(info.status, 200);
    HttpsClient tls13(ca_->ca_file());
    tls13.ssl.setProtocol(QSsl::TlsV1_3);
    QCOMPARE(tls13.call(node->admin_port(), "GET", "/v1/node", node->token()).status, 200);
    QCOMPARE(info.peer_sha256.toStdString(), pem_fingerprint(server_.cert_file));

    HttpsClient tls12(ca_->ca_file());
    tls12.ssl.setProtocol(QSsl::TlsV1_2);
    const HttpsReply old = tls12.call(node->admin_port(), "GET", "/healthz", "");
    QVERIFY2(old.status == 0, old.body.constData());
    QVERIFY2(node->run_log().contains("TLS handshake with") && node->run_log().contains("failed"),
             qPrintable(node->run_log()));
    QCOMPARE(node->get("/healthz").status, 0);  // plain HTTP gets no HTTP answer

    const HttpsReply metrics = client.call(node->admin_port(), "GET", "/metrics", node->token());
    QCOMPARE(metrics.status, 200);
    QCOMPARE(expiry_metric(metrics.body), static_cast<double>(not_after(server_.cert_file)));
    QVERIFY(!node->run_log().contains("expires in"));  // a year left: no warning
  }

  void cliVerifiesTheNodeCertificate() {
    HttpsClient client(ca_->ca_file());
    auto node = https_node("cli", server_tls(), client);
    QVERIFY(node);
    CliRun ok = itc_cli(QStringList{"admin", "token", "list"} + cli_node(*node) +
                        QStringList{"--ca", QString::fromStdString(ca_->ca_file())});
    QVERIFY2(ok.code == 0 && ok.out.contains("admin.token"), qPrintable(ok.err));

    CliRun wrong_ca = itc_cli(QStringList{"admin", "token", "list"} + cli_node(*node) +
                              QStringList{"--ca", QString::fromStdString(other_ca_->ca_file())});
    QCOMPARE(wrong_ca.code, 1);
    QVERIFY2(wrong_ca.err.contains("refused the certificate of https://127.0.0.1") &&
                 wrong_ca.err.contains("other-ca.pem"),
             qPrintable(wrong_ca.err));
    QVERIFY(wrong_ca.out.isEmpty());

    const QString pin = QString::fromStdString(pem_fingerprint(server_.cert_file));
    CliRun pinned = itc_cli(QStringList{"admin", "token", "list"} + cli_node(*node) +
                            QStringList{"--pin", pin});
    QVERIFY2(pinned.code == 0 && pinned.out.contains("admin.token"), qPrintable(pinned.err));

    const QString other = QString::fromStdString(pem_fingerprint(other_ca_->ca_file()));
    CliRun wrong_pin = itc_cli(QStringList{"admin", "token", "list"} + cli_node(*node) +
                               QStringList{"--pin", other});
    QCOMPARE(wrong_pin.code, 1);
    QVERIFY2(wrong_pin.err.contains("not the pinned " + other) && wrong_pin.err.contains(pin),
             qPrintable(wrong_pin.err));
  }

  void mutualTlsRefusesAClientWithoutItsCertificate() {
    HttpsClient with_cert(ca_->ca_file());
    QVERIFY(with_cert.present(other_ca_->issue("operator")));
    auto node = https_node("mtls",
                           "{cert_file: " + server_.cert_file + ", key_file: " + server_.key_file +
                               ", client_ca_file: " + other_ca_->ca_file() + "}",
                           with_cert);
    QVERIFY(node);
    QCOMPARE(with_cert.call(node->admin_port(), "GET", "/v1/node", node->token()).status, 200);

    HttpsClient anonymous(ca_->ca_file());
    QCOMPARE(anonymous.call(node->admin_port(), "GET", "/v1/node", node->token()).status, 0);
    HttpsClient foreign(ca_->ca_file());
    QVERIFY(foreign.present(ca_->issue("stranger")));  // signed, but not by the client CA
    QCOMPARE(foreign.call(node->admin_port(), "GET", "/v1/node", node->token()).status, 0);
  }

  void aCertificateRotatedOnDiskIsServedWithoutARestart() {
    const PemPair first = ca_->issue("rot-1");
    const PemPair live{path("live.pem"), path("live.key")};
    std::filesystem::copy_file(first.cert_file, live.cert_file);
    std::filesystem::copy_file(first.key_file, live.key_file);
    HttpsClient client(ca_->ca_file());
    auto node = https_node(
        "rotate", "{cert_file: " + live.cert_file + ", key_file: " + live.key_file + "}", client);
    QVERIFY(node);
    const qint64 pid = node->pid();
    QCOMPARE(client.call(node->admin_port(), "GET", "/healthz", "").peer_sha256.toStdString(),
             pem_fingerprint(first.cert_file));

    // The operator's renewal: a pair valid 10 days, moved into place (key, then certificate).
    const PemPair second = ca_->issue("rot-2", -1, 10);
    std::filesystem::rename(second.key_file, live.key_file);
    std::filesystem::rename(second.cert_file, live.cert_file);
    const std::string second_sha = pem_fingerprint(live.cert_file);
    QVERIFY2(
        eventually([&] {
          return client.call(node->admin_port(), "GET", "/healthz", "").peer_sha256.toStdString() ==
                 second_sha;
        }),
        qPrintable(node->run_log()));
    QCOMPARE(node->pid(), pid);
    QVERIFY(node->running());
    QVERIFY2(node->run_log().contains("reloaded TLS certificate") &&
                 node->run_log().contains("expires in 9 days"),
             qPrintable(node->run_log()));
    const HttpsReply metrics = client.call(node->admin_port(), "GET", "/metrics", node->token());
    QCOMPARE(expiry_metric(metrics.body), static_cast<double>(not_after(live.cert_file)));

    // A broken pair (a key of another certificate) keeps the last good one serving.
    const PemPair third = ca_->issue("rot-3");
    std::filesystem::rename(third.key_file, live.key_file);
    const HttpsReply still = client.call(node->admin_port(), "GET", "/healthz", "");
    QCOMPARE(still.status, 200);
    QCOMPARE(still.peer_sha256.toStdString(), second_sha);
    QVERIFY2(node->run_log().contains("do not load, still serving the previous certificate") &&
                 node->run_log().contains("does not match the certificate"),
             qPrintable(node->run_log()));
  }

  void tokensHaveRolesAreRevokedAndNeverLogged() {
    HttpsClient client(ca_->ca_file());
    auto node = https_node("roles", server_tls(), client, {"normalize"});
    QVERIFY(node);
    const std::uint16_t port = node->admin_port();
    const QStringList ca{"--ca", QString::fromStdString(ca_->ca_file())};
    auto create = [&](const QString& role, const QString& name) {
      CliRun r = itc_cli(QStringList{"admin", "token", "create", "--role", role, "--name", name} +
                         cli_node(*node) + ca);
      if (r.code != 0) qWarning("%s", qPrintable(r.err));
      return r.out.trimmed().toStdString();
    };
    const std::string admin = node->token();
    const std::string read = create("read", "grafana");
    const std::string operate = create("operate", "ops");
    QCOMPARE(read.size(), 64u);
    QCOMPARE(operate.size(), 64u);

    const QByteArray swap =
        QByteArray::fromStdString("{\"package\": \"" + package_path("normalize") + "\"}");
    // read: dashboards and Prometheus, nothing that changes the node.
    QCOMPARE(client.call(port, "GET", "/v1/node", read).status, 200);
    QCOMPARE(client.call(port, "GET", "/metrics", read).status, 200);
    QCOMPARE(client.call(port, "GET", "/v1/plugins", read).status, 200);
    HttpsReply tx = client.call(port, "POST", "/v1/tx", read, "{}");
    QCOMPARE(tx.status, 403);
    QVERIFY2(
        tx.body.contains("'grafana' has the read role") && tx.body.contains("needs the operate"),
        tx.body.constData());
    HttpsReply swap_read = client.call(port, "POST", "/v1/plugins/normalize/swap", read, swap);
    QCOMPARE(swap_read.status, 403);
    QVERIFY2(swap_read.body.contains("needs the admin role"), swap_read.body.constData());
    QCOMPARE(client.call(port, "GET", "/v1/config", read).status, 403);

    // operate: transactions and commands reach their handlers (this node has no PBFT, so
    // no transaction pool: 503 says so), plugins do not.
    HttpsReply submitted = client.call(port, "POST", "/v1/tx", operate, "{\"nonce\": \"1\"}");
    QCOMPARE(submitted.status, 503);
    QVERIFY2(submitted.body.contains("itc.transaction-pool"), submitted.body.constData());
    QCOMPARE(client.call(port, "POST", "/v1/plugins/normalize/swap", operate, swap).status, 403);
    QCOMPARE(client.call(port, "GET", "/v1/tokens", operate).status, 403);

    // admin (the node's admin.token): swaps a plugin.
    HttpsReply swapped = client.call(port, "POST", "/v1/plugins/normalize/swap", admin, swap);
    QCOMPARE(swapped.status, 200);
    QCOMPARE(QJsonDocument::fromJson(swapped.body).object()["state"].toString(),
             QString("RUNNING"));

    // The list names tokens and roles, never a secret; a revoked token is refused.
    CliRun list = itc_cli(QStringList{"admin", "token", "list"} + cli_node(*node) + ca);
    QVERIFY2(list.code == 0 && list.out.contains(QRegularExpression("grafana +read")) &&
                 list.out.contains(QRegularExpression("ops +operate")),
             qPrintable(list.out + list.err));
    CliRun revoke =
        itc_cli(QStringList{"admin", "token", "revoke", "grafana"} + cli_node(*node) + ca);
    QVERIFY2(revoke.code == 0, qPrintable(revoke.err));
    HttpsReply revoked = client.call(port, "GET", "/v1/node", read);
    QCOMPARE(revoked.status, 401);
    QVERIFY2(revoked.body.contains("unknown or revoked"), revoked.body.constData());
    QCOMPARE(client.call(port, "GET", "/v1/node", "").status, 401);
    QCOMPARE(client.call(port, "GET", "/v1/node", std::string(64, 'a')).status, 401);

    // Survives a restart: stored (hashed) in the data directory.
    node->stop();
    QVERIFY(node->start({"--log-level", "debug"}));
    QVERIFY(eventually([&] { return client.call(port, "GET", "/healthz", "").status == 200; }));
    QCOMPARE(client.call(port, "GET", "/v1/node", operate).status, 200);
    QCOMPARE(client.call(port, "GET", "/v1/node", read).status, 401);

    const QString log = node->log();
    QVERIFY2(log.contains("created token 'ops'") && log.contains("POST /v1/tx"), qPrintable(log));
    QFile stored(QString::fromStdString(node->path(node->data_dir() + "/admin-tokens.pb")));
    QVERIFY(stored.open(QIODevice::ReadOnly));
    const QByteArray kept = stored.readAll();
    for (const std::string& t : {admin, read, operate}) {
      QVERIFY2(!log.contains(QString::fromStdString(t)), "a token is in the node's log");
      QVERIFY2(!kept.contains(QByteArray::fromStdString(t)), "a token is stored in clear");
    }
  }

  // An operate token submits a transaction that a (one-validator) PBFT network commits; a
  // read token may not. Roles hold over plain HTTP on loopback as over HTTPS.
  void anOperateTokenSubmitsATransaction() {
    NetworkOptions opt;
    opt.validators = 1;
    LocalNetwork net(opt);
    net.start(0);
    QVERIFY2(net.wait_healthy(0), qPrintable(net.log_of(0)));
    NodeProcess& node = net.node(0);
    const QStringList access{"--node", QString::fromStdString(node.admin_url()), "--token-file",
                             QString::fromStdString(node.path(node.data_dir() + "/admin.token"))};
    CliRun ops = itc_cli(QStringList{"admin", "token", "create", "--role", "operate"} + access);
    CliRun dash = itc_cli(QStringList{"admin", "token", "create", "--role", "read"} + access);
    QVERIFY2(ops.code == 0 && dash.code == 0, qPrintable(ops.err + dash.err));
    QVERIFY2(ops.err.contains("token 'operate-1'") && dash.err.contains("token 'read-1'"),
             qPrintable(ops.err + dash.err));

    std::string json;
    QVERIFY(google::protobuf::util::MessageToJsonString(net.transfer(0, 1, 25, 1), &json).ok());
    const QByteArray body = QByteArray::fromStdString(json);
    AdminClient reader(QString::fromStdString(node.admin_url()), dash.out.trimmed().toUtf8());
    const HttpReply refused = reader.call("POST", "/v1/tx", body);
    QCOMPARE(refused.status, 403);
    AdminClient operator_(QString::fromStdString(node.admin_url()), ops.out.trimmed().toUtf8());
    const HttpReply committed = operator_.call("POST", "/v1/tx", body, 30000);
    QVERIFY2(committed.status == 200, committed.body.constData());
    QVERIFY2(committed.json["committed"].toBool() &&
                 committed.json["height"].toString().toULongLong() >= 1,
             committed.body.constData());
  }
};

QTEST_GUILESS_MAIN(AdminTlsTest)
#include "admin_tls_test.moc"
