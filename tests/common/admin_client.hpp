// AdminClient: a blocking admin-API client for tests, one request at a time with a bearer
// token, as Studio and scripts call a node. Not thread-safe: use it from the thread that
// created it, which must run Qt events (a QtTest main's thread).
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QString>

namespace itc::testing {

struct HttpReply {
  int status = 0;  // 0: no HTTP answer (refused, timed out)
  QByteArray body;
  QJsonObject json;  // the body parsed as a JSON object (empty if it is not one)
};

class AdminClient {
 public:
  // `base_url`: "http://127.0.0.1:<port>"; `token`: the node's admin token.
  AdminClient(QString base_url, QByteArray token);

  // `verb` `path` with `body` (sent as application/json); waits at most `timeout_ms`.
  HttpReply call(const QByteArray& verb, const QString& path, const QByteArray& body = {},
                 int timeout_ms = 15000);
  HttpReply get(const QString& path) { return call("GET", path); }

  // The next once-a-second node stats event on GET /v1/events (empty if none in `ms`).
  QJsonObject next_stats_event(int ms = 5000);

 private:
  QString base_;
  QByteArray token_;
  QNetworkAccessManager nam_;
};

}  // namespace itc::testing
