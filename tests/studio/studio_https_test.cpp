// Studio's AdminClient against a real itc-node serving HTTPS (certificates made in the
// test): it connects with the node's CA or with the certificate's pinned fingerprint, and
// refuses a node whose certificate matches neither, saying why.
#include <QEventLoop>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "eventually.hpp"
#include "free_port.hpp"
#include "https_client.hpp"
#include "node_api/admin_client.hpp"
#include "node_config.hpp"
#include "node_process.hpp"
#include "test_certificates.hpp"

using namespace itc::testing;

using itc::studio::AdminReply;
using itc::studio::NodeEndpoint;

namespace {

// GET `path` through Studio's client, waiting for its callback.
AdminReply get(const NodeEndpoint& endpoint, const QString& path) {
  itc::studio::AdminClient client(endpoint);
  client.set_timeout_ms(10000);
  AdminReply out;
  QEventLoop loop;
  QObject context;
  client.get(path, &context, [&](const AdminReply& r) {
    out = r;
    loop.quit();
  });
  QTimer::singleShot(15000, &loop, &QEventLoop::quit);
  loop.exec();
  return out;
}

}  // namespace

class StudioHttpsTest : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::unique_ptr<TestCertificates> ca_;
  std::unique_ptr<TestCertificates> other_ca_;
  PemPair cert_;
  std::unique_ptr<NodeProcess> https_;
  QUrl url_;

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const std::string d = dir_.path().toStdString();
    ca_ = std::make_unique<TestCertificates>(d, "site-ca");
    other_ca_ = std::make_unique<TestCertificates>(d, "other-ca");
    cert_ = ca_->issue("node");
    https_ = std::make_unique<NodeProcess>(d, "node");
    const std::uint16_t port = free_port();
    https_->write_config(
        "node:\n  name: studio-https\n  data_dir: data\n  admin: {listen: "
        "\"127.0.0.1:" +
            std::to_string(port) + "\", tls: {cert_file: " + cert_.cert_file +
            ", key_file: " + cert_.key_file + "}}\n",
        port, "data");
    QVERIFY(https_->start());
    const HttpsClient probe(ca_->ca_file());
    QVERIFY2(eventually([&] { return probe.call(port, "GET", "/healthz", "").status == 200; }),
             qPrintable(https_->log()));
    url_ = QUrl(QString("https://127.0.0.1:%1").arg(port));
  }

  void connectsWithTheNodesCa() {
    const AdminReply r = get({url_,
                              QByteArray::fromStdString(https_->token()),
                              QString::fromStdString(ca_->ca_file()),
                              {}},
                             "/v1/node");
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY(r.body.contains("studio-https"));
  }

  void connectsWithAPinnedFingerprint() {
    // No CA at all: the pin alone vouches for the self-made chain.
    const QByteArray pin = QByteArray::fromStdString(pem_fingerprint(cert_.cert_file));
    const AdminReply r =
        get({url_, QByteArray::fromStdString(https_->token()), {}, pin}, "/v1/node");
    QVERIFY2(r.ok(), qPrintable(r.error));
  }

  void refusesAWrongCaOrPin() {
    const AdminReply wrong_ca = get({url_,
                                     QByteArray::fromStdString(https_->token()),
                                     QString::fromStdString(other_ca_->ca_file()),
                                     {}},
                                    "/v1/node");
    QVERIFY(!wrong_ca.ok());
    QCOMPARE(wrong_ca.kind, AdminReply::Kind::kUnreachable);
    QVERIFY2(wrong_ca.error.contains("refused the node's certificate"), qPrintable(wrong_ca.error));

    const QByteArray other = QByteArray::fromStdString(pem_fingerprint(other_ca_->ca_file()));
    const AdminReply wrong_pin =
        get({url_, QByteArray::fromStdString(https_->token()), {}, other}, "/v1/node");
    QVERIFY(!wrong_pin.ok());
    QVERIFY2(wrong_pin.error.contains("not the pinned " + other), qPrintable(wrong_pin.error));
    // Nor does a CA the system trusts override the pin: the node's own CA plus a wrong pin.
    const AdminReply both = get({url_, QByteArray::fromStdString(https_->token()),
                                 QString::fromStdString(ca_->ca_file()), other},
                                "/v1/node");
    QVERIFY2(!both.ok() && both.error.contains("not the pinned"), qPrintable(both.error));
  }

  void cleanupTestCase() {
    if (https_) https_->stop();
  }
};

QTEST_GUILESS_MAIN(StudioHttpsTest)
#include "studio_https_test.moc"
