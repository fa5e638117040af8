#include "node_api/admin_client.hpp"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslConfiguration>

#include "node_api/proto_json.hpp"

namespace itc::studio {

namespace {

// Why a reply was aborted for a certificate that did not match the pin (a property of it).
constexpr const char* kPinRefusal = "itc_pin_refusal";

// If `url` is unusable, queues `done` with why on `context` and says true.
bool refuse_bad_url(const QUrl& url, QObject* context, const AdminClient::Callback& done) {
  QString bad = AdminClient::check_url(url);
  if (bad.isEmpty()) return false;
  AdminReply r;
  r.error = bad;
  QMetaObject::invokeMethod(
      context, [done, r] { done(r); }, Qt::QueuedConnection);
  return true;
}

}  // namespace

AdminClient::AdminClient(NodeEndpoint endpoint, QObject* parent)
    : QObject(parent), endpoint_(std::move(endpoint)) {}

QString AdminClient::check_url(const QUrl& url) {
  if (!url.isValid()) {
    return QString("'%1' is not a valid URL (use http://host:port)").arg(url.toString());
  }
  if (url.scheme() != "http" && url.scheme() != "https") {
    return QString("'%1' must start with http:// or https://").arg(url.toString());
  }
  if (url.host().isEmpty()) return QString("'%1' names no host").arg(url.toString());
  return {};
}

QNetworkRequest AdminClient::request_for(const QString& path_and_query) const {
  QString base = endpoint_.url.toString();
  while (base.endsWith('/')) base.chop(1);
  QNetworkRequest req(QUrl(base + path_and_query));
  req.setRawHeader("Authorization", "Bearer " + endpoint_.token);
  req.setTransferTimeout(timeout_ms_);
  if (endpoint_.url.scheme() == "https") {
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setProtocol(QSsl::TlsV1_3OrLater);
    if (!endpoint_.ca_file.isEmpty()) {
      tls.setCaCertificates(QSslCertificate::fromPath(endpoint_.ca_file));
    }
    req.setSslConfiguration(tls);
  }
  return req;
}

QNetworkReply* AdminClient::check_certificate(QNetworkReply* reply) const {
  if (endpoint_.pin.isEmpty()) return reply;
  const QByteArray pin = endpoint_.pin.toLower().replace(":", "");
  auto fingerprint = [reply] {
    return reply->sslConfiguration().peerCertificate().digest(QCryptographicHash::Sha256).toHex();
  };
  auto refuse = [reply, pin](const QByteArray& have) {
    reply->setProperty(kPinRefusal, QString("its SHA-256 fingerprint is %1, not the pinned %2")
                                        .arg(QString::fromLatin1(have), QString::fromLatin1(pin)));
  };
  // A chain nobody vouches for (self-signed, unknown CA) is accepted for the pinned
  // certificate only; a chain the system trusts must match the pin too.
  connect(reply, &QNetworkReply::sslErrors, reply,
          [reply, pin, fingerprint, refuse](const QList<QSslError>& errors) {
            const QByteArray have = fingerprint();
            if (have == pin) {
              reply->ignoreSslErrors(errors);
            } else {
              refuse(have);
            }
          });
  connect(reply, &QNetworkReply::encrypted, reply, [reply, pin, fingerprint, refuse] {
    const QByteArray have = fingerprint();
    if (have == pin) return;
    refuse(have);
    reply->abort();
  });
  return reply;
}

void AdminClient::get(const QString& path_and_query, QObject* context, Callback done) {
  if (refuse_bad_url(endpoint_.url, context, done)) return;
  finish(check_certificate(nam_.get(request_for(path_and_query))), context, std::move(done));
}

void AdminClient::post(const QString& path, const QByteArray& body, QObject* context, Callback done,
                       const QByteArray& content_type) {
  if (refuse_bad_url(endpoint_.url, context, done)) return;
  QNetworkRequest req = request_for(path);
  req.setHeader(QNetworkRequest::ContentTypeHeader, content_type);
  finish(check_certificate(nam_.post(req, body)), context, std::move(done));
}

void AdminClient::post_message(const QString& path, const google::protobuf::Message& msg,
                               QObject* context, Callback done) {
  post(path, to_json(msg), context, std::move(done));
}

QNetworkReply* AdminClient::open_stream(const QString& path) {
  QNetworkRequest req = request_for(path);
  req.setTransferTimeout(0);
  req.setRawHeader("Accept", "text/event-stream");
  return check_certificate(nam_.get(req));
}

void AdminClient::finish(QNetworkReply* reply, QObject* context, Callback done) {
  const QUrl base = endpoint_.url;
  connect(reply, &QNetworkReply::finished, context, [reply, base, done = std::move(done)] {
    AdminReply r = classify(reply, base);
    reply->deleteLater();
    done(r);
  });
  // If the context goes first the reply is still cleaned up.
  connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
}

AdminReply AdminClient::classify(QNetworkReply* reply, const QUrl& base) {
  AdminReply r;
  r.http_status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  r.body = reply->readAll();
  const QString where = base.toString();
  if (r.http_status == 0) {
    r.kind = AdminReply::Kind::kUnreachable;
    if (const QString pin = reply->property(kPinRefusal).toString(); !pin.isEmpty()) {
      r.error = QString("%1: refused the node's certificate: %2").arg(where, pin);
      return r;
    }
    switch (reply->error()) {
      case QNetworkReply::SslHandshakeFailedError:
        r.error = QString(
                      "%1: refused the node's certificate (%2); set the connection's CA file or "
                      "pinned fingerprint")
                      .arg(where, reply->errorString());
        break;
      case QNetworkReply::HostNotFoundError:
        r.error = QString("%1: no such host (check the URL)").arg(where);
        break;
      case QNetworkReply::ConnectionRefusedError:
        r.error =
            QString("%1: connection refused (no node listening there, or it went away)").arg(where);
        break;
      case QNetworkReply::RemoteHostClosedError:
        r.error = QString("%1: the node closed the connection (it went away)").arg(where);
        break;
      case QNetworkReply::OperationCanceledError:
      case QNetworkReply::TimeoutError:
        r.error = QString("%1: no answer in time (node stalled or unreachable)").arg(where);
        break;
      default:
        r.error = QString("%1: %2").arg(where, reply->errorString());
    }
    return r;
  }
  if (r.http_status >= 200 && r.http_status < 300) {
    r.kind = AdminReply::Kind::kOk;
    return r;
  }
  const QJsonObject obj = QJsonDocument::fromJson(r.body).object();
  QString node_says = obj.value("error").toString();
  if (node_says.isEmpty()) node_says = QString::fromUtf8(r.body.left(300)).trimmed();
  if (r.http_status == 401) {
    r.kind = AdminReply::Kind::kUnauthorized;
    r.error = QString(
                  "%1 refused the admin token (HTTP 401): use the token from the node's "
                  "data directory (admin.token)")
                  .arg(where);
    return r;
  }
  r.kind = AdminReply::Kind::kRefused;
  r.error = QString("HTTP %1 from %2: %3").arg(r.http_status).arg(where, node_says);
  return r;
}

}  // namespace itc::studio
