// The mqtt plugin against a mosquitto broker that wants TLS, a client certificate and a
// password: a CA, server and client certificates made with the openssl tool, a password
// file made with mosquitto_passwd. The right credentials bring readings; a wrong password
// is refused by the broker, which the device directory shows; no password is ever logged.
#include <sys/stat.h>

#include <QtTest>

#include "mqtt_peers.hpp"

using itc::testing::eventually;
using itc::testing::MosquittoBroker;
using itc::testing::MqttNode;

namespace {

bool run(const QString& program, const QStringList& args, const QString& dir) {
  QProcess p;
  p.setWorkingDirectory(dir);
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(program, args);
  if (!p.waitForFinished(30000) || p.exitCode() != 0) {
    qWarning("%s %s failed: %s", qPrintable(program), qPrintable(args.join(' ')),
             p.readAll().constData());
    return false;
  }
  return true;
}

// ca.pem, server.pem/key (for IP 127.0.0.1), client.pem/key, all signed by the CA.
bool make_pki(const QString& dir) {
  std::ofstream((dir + "/san.ext").toStdString()) << "subjectAltName=IP:127.0.0.1\n";
  const QStringList ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};
  if (!run("openssl",
           QStringList{"req", "-x509"} + ec +
               QStringList{"-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
                           "/CN=itc-test-ca"},
           dir)) {
    return false;
  }
  for (const QString& who : {QString("server"), QString("client")}) {
    if (!run("openssl",
             QStringList{"req"} + ec +
                 QStringList{"-keyout", who + ".key", "-out", who + ".csr", "-subj", "/CN=" + who},
             dir) ||
        !run("openssl",
             {"x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
              "-CAcreateserial", "-out", who + ".pem", "-days", "2", "-extfile", "san.ext"},
             dir)) {
      return false;
    }
  }
  return true;
}

}  // namespace

class TlsLoginTest : public QObject {
  Q_OBJECT

  QTemporaryDir pki_;
  std::unique_ptr<MosquittoBroker> broker_;
  QString pki(const char* file) const { return pki_.filePath(file); }

  std::string secured_config(const QString& password_file) const {
    return "broker: " + broker_->address() +
           ", username: gateway-1, password_file: " + password_file.toStdString() +
           ", tls: {ca_file: " + pki("ca.pem").toStdString() +
           ", cert_file: " + pki("client.pem").toStdString() +
           ", key_file: " + pki("client.key").toStdString() +
           "}, devices: [{id: lamp-9, profile: dimmable-lamp}]";
  }
  QString write_secret(const char* name, const char* text) const {
    const QString path = pki(name);
    std::ofstream(path.toStdString()) << text << "\n";
    ::chmod(path.toStdString().c_str(), 0600);
    return path;
  }

 private slots:
  void initTestCase() {
    QVERIFY(make_pki(pki_.path()));
    QVERIFY(run("mosquitto_passwd", {"-b", "-c", pki("passwd"), "gateway-1", "s3cret-Pw"},
                pki_.path()));
    QVERIFY(run("mosquitto_passwd", {"-b", pki("passwd"), "device-pub", "pub-Pw"}, pki_.path()));
    broker_ = std::make_unique<MosquittoBroker>(
        "cafile " + pki("ca.pem").toStdString() + "\ncertfile " + pki("server.pem").toStdString() +
            "\nkeyfile " + pki("server.key").toStdString() +
            "\nrequire_certificate true\npassword_file " + pki("passwd").toStdString() + "\n",
        /*allow_anonymous=*/false);
  }

  void mutualTlsAndPasswordLoginBringReadings() {
    MqttNode node;
    QVERIFY2(node.start(secured_config(write_secret("good.password", "s3cret-Pw"))),
             qPrintable(node.log()));
    QVERIFY(eventually([&] { return node.metric("mqtt", "broker_connected") == 1.0; }));
    QProcess pub;
    pub.start("mosquitto_pub", {"-h",       "127.0.0.1",
                                "-p",       QString::number(broker_->port()),
                                "--cafile", pki("ca.pem"),
                                "--cert",   pki("client.pem"),
                                "--key",    pki("client.key"),
                                "-u",       "device-pub",
                                "-P",       "pub-Pw",
                                "-q",       "1",
                                "-t",       "lights/lamp-9/state",
                                "-m",       R"({"power_mw":4200,"dim_pct":35})"});
    QVERIFY(pub.waitForFinished(10000));
    QCOMPARE(pub.exitCode(), 0);
    QVERIFY(eventually([&] { return node.saw_reading("lamp-9", "power", 4.2); }));
    QVERIFY(node.saw_reading("lamp-9", "dim", 35));
    node.stop();
    QVERIFY(!node.log().contains("s3cret-Pw"));
  }

  void aWrongPasswordIsRefusedByTheBrokerAndShownOnTheDevice() {
    MqttNode node;
    QVERIFY2(node.start(secured_config(write_secret("wrong.password", "not-the-Pw"))),
             qPrintable(node.log()));
    QVERIFY(eventually([&] {
      return node.device("lamp-9")["lastError"].toString().contains("refused the connection");
    }));
    QCOMPARE(node.device("lamp-9")["state"].toString(), QString("DEVICE_STATE_OFFLINE"));
    QVERIFY(node.metric("mqtt", "connection_losses").value_or(0) >= 1);
    QCOMPARE(node.metric("mqtt", "connects").value_or(-1), 0.0);
    node.stop();
    QVERIFY(!node.log().contains("not-the-Pw"));
  }
};

QTEST_GUILESS_MAIN(TlsLoginTest)
#include "tls_login_test.moc"
