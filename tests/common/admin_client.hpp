// A blocking admin-API client for tests: one request at a time with a bearer token, as
// Studio and scripts call a node. Needs a running Qt event loop's thread (QtTest's).
#pragma once

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QTimer>
#include <functional>
#include <string>

namespace itc::testing {

struct AdminReply {
  int status = 0;  // 0: no HTTP answer (refused, timed out)
  QByteArray body;
  QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

class AdminClient {
 public:
  AdminClient(QString base_url, QByteArray token)
      : base_(std::move(base_url)), token_(std::move(token)) {
    nam_.setProxy(QNetworkProxy::NoProxy);
  }

  AdminReply call(const QByteArray& verb, const QString& path, const QByteArray& body = {},
                  int timeout_ms = 15000) {
    QNetworkRequest req(QUrl(base_ + path));
    req.setRawHeader("Authorization", "Bearer " + token_);
    req.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    QNetworkReply* r = nam_.sendCustomRequest(req, verb, body);
    QEventLoop loop;
    QTimer::singleShot(timeout_ms, &loop, &QEventLoop::quit);
    QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!r->isFinished()) loop.exec();
    AdminReply out;
    if (r->isFinished()) {
      out.status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
      out.body = r->readAll();
    } else {
      r->abort();
    }
    r->deleteLater();
    return out;
  }
  AdminReply get(const QString& path) { return call("GET", path); }

  // The next once-a-second node stats event on GET /v1/events (empty if none in `ms`).
  QJsonObject next_stats_event(int ms = 5000) {
    QNetworkRequest req(QUrl(base_ + "/v1/events"));
    req.setRawHeader("Authorization", "Bearer " + token_);
    QNetworkReply* stream = nam_.get(req);
    QByteArray received;
    QJsonObject stats;
    QObject::connect(stream, &QNetworkReply::readyRead, [&] { received += stream->readAll(); });
    QElapsedTimer waited;
    waited.start();
    while (stats.isEmpty() && waited.elapsed() < ms) {
      QEventLoop loop;
      QTimer::singleShot(50, &loop, &QEventLoop::quit);
      loop.exec();
      for (const QByteArray& line : received.split('\n')) {
        const auto event = QJsonDocument::fromJson(line.mid(6)).object();
        if (line.startsWith("data: ") && event.contains("stats")) stats = event["stats"].toObject();
      }
    }
    stream->abort();
    delete stream;
    return stats;
  }

 private:
  QString base_;
  QByteArray token_;
  QNetworkAccessManager nam_;
};

// Polls `pred` (processing events) until it holds or `ms` pass.
inline bool eventually(const std::function<bool()>& pred, int ms) {
  QElapsedTimer t;
  t.start();
  while (t.elapsed() < ms) {
    if (pred()) return true;
    QEventLoop loop;
    QTimer::singleShot(50, &loop, &QEventLoop::quit);
    loop.exec();
  }
  return pred();
}

}  // namespace itc::testing
