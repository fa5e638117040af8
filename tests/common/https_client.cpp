#include "https_client.hpp"

#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslKey>
#include <QTimer>
#include <QUrl>

namespace itc::testing {

HttpsClient::HttpsClient(const std::string& ca_file)
    : ssl(QSslConfiguration::defaultConfiguration()) {
  ssl.setCaCertificates(QSslCertificate::fromPath(QString::fromStdString(ca_file)));
  ssl.setProtocol(QSsl::TlsV1_2OrLater);
  ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
}

bool HttpsClient::present(const PemPair& pair) {
  const auto certs = QSslCertificate::fromPath(QString::fromStdString(pair.cert_file));
  QFile key(QString::fromStdString(pair.key_file));
  if (certs.isEmpty() || !key.open(QIODevice::ReadOnly)) return false;
  ssl.setLocalCertificate(certs.at(0));
  ssl.setPrivateKey(QSslKey(key.readAll(), QSsl::Ec));
  return true;
}

HttpsReply HttpsClient::call(std::uint16_t port, const QByteArray& verb, const QString& path,
                             const std::string& token, const QByteArray& body,
                             int timeout_ms) const {
  QNetworkAccessManager nam;
  QNetworkRequest req(QUrl(QString("https://127.0.0.1:%1%2").arg(port).arg(path)));
  req.setSslConfiguration(ssl);
  req.setRawHeader("Connection", "close");
  if (!token.empty()) {
    req.setRawHeader("Authorization", "Bearer " + QByteArray::fromStdString(token));
  }
  if (!body.isEmpty()) req.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
  QNetworkReply* reply = nam.sendCustomRequest(req, verb, body);
  QEventLoop loop;
  QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
  QTimer::singleShot(timeout_ms, &loop, &QEventLoop::quit);
  loop.exec();
  HttpsReply out;
  out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  out.body = reply->readAll();
  out.error = reply->errorString();
  const QSslCertificate peer = reply->sslConfiguration().peerCertificate();
  if (!peer.isNull()) out.peer_sha256 = peer.digest(QCryptographicHash::Sha256).toHex();
  reply->abort();
  reply->deleteLater();
  return out;
}

}  // namespace itc::testing
