#include "admin_client.hpp"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QTimer>
#include <cstdlib>

namespace itc::testing {

AdminClient::AdminClient(QString base_url, QByteArray token)
    : base_(std::move(base_url)), token_(std::move(token)) {
  nam_.setProxy(QNetworkProxy::NoProxy);
}

HttpReply AdminClient::call(const QByteArray& verb, const QString& path, const QByteArray& body,
                            int timeout_ms) {
  QNetworkRequest req(QUrl(base_ + path));
  req.setRawHeader("Authorization", "Bearer " + token_);
  req.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
  QNetworkReply* r = nam_.sendCustomRequest(req, verb, body);
  QEventLoop loop;
  QTimer::singleShot(timeout_ms, &loop, &QEventLoop::quit);
  QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
  if (!r->isFinished()) loop.exec();
  HttpReply out;
  if (r->isFinished()) {
    out.status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = r->readAll();
    out.json = QJsonDocument::fromJson(out.body).object();
    if (out.status == 0 && std::getenv("ITC_TEST_VERBOSE")) {
      qWarning("%s %s: %s", verb.constData(), qPrintable(path), qPrintable(r->errorString()));
    }
  } else {
    r->abort();
  }
  r->deleteLater();
  return out;
}

QJsonObject AdminClient::next_stats_event(int ms) {
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

}  // namespace itc::testing
