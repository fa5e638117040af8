// AdminClient: one node's admin API over HTTP/JSON with its bearer token, or over HTTPS
// checking the node's certificate (a CA file or a pinned fingerprint; a certificate that
// fails is refused, saying why). Every call is
// asynchronous (the UI never waits on the network); the answer, or a clear error saying
// what went wrong (a wrong URL, a refused token, a node that went away, the node's own
// error message), is delivered to a callback on the GUI thread. Views use NodeApi
// (node_api.hpp), which types each endpoint's answer, rather than this client.
// Thread safety: GUI thread only. The token is never logged or put in an error message.
#pragma once

#include <google/protobuf/message.h>

#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <functional>

namespace itc::studio {

struct NodeEndpoint {
  QUrl url;          // e.g. http://127.0.0.1:8740, https://10.0.0.11:8740
  QByteArray token;  // the node's admin token (secret)
  // https: the node's certificate must chain to this CA (PEM) and name the URL's host;
  // empty: the system's CAs.
  QString ca_file{};
  // https: instead, the node's certificate must have this SHA-256 fingerprint (hex, ':'
  // allowed), whoever signed it.
  QByteArray pin{};
};

// What a request ended with.
struct AdminReply {
  enum class Kind {
    kOk,            // HTTP 2xx
    kUnauthorized,  // 401: the token was refused
    kRefused,       // another 4xx/5xx: the node answered with an error
    kUnreachable,   // no HTTP answer: wrong URL, node down, connection dropped, timeout
  };
  Kind kind = Kind::kUnreachable;
  int http_status = 0;
  QByteArray body;
  QString error;  // for anything but kOk: a sentence for the user
  bool ok() const { return kind == Kind::kOk; }
};

class AdminClient : public QObject {
  Q_OBJECT

 public:
  using Callback = std::function<void(const AdminReply&)>;

  explicit AdminClient(NodeEndpoint endpoint, QObject* parent = nullptr);

  const NodeEndpoint& endpoint() const { return endpoint_; }
  // Empty if the URL is usable, else why not ("no scheme", "not http(s)").
  static QString check_url(const QUrl& url);

  // `context` bounds the callback's life: if it is destroyed first, the callback is not run.
  void get(const QString& path_and_query, QObject* context, Callback done);
  void post(const QString& path, const QByteArray& body, QObject* context, Callback done,
            const QByteArray& content_type = "application/json");
  void post_message(const QString& path, const google::protobuf::Message& msg, QObject* context,
                    Callback done);

  // A request for a long-lived stream (the event stream): authorised, no transfer timeout.
  QNetworkReply* open_stream(const QString& path);

  // Milliseconds before an unanswered request is abandoned as unreachable. Default: 30000.
  void set_timeout_ms(int ms) { timeout_ms_ = ms; }

  // The sentence for a reply that ended with `kind` (used by the event stream too).
  static AdminReply classify(QNetworkReply* reply, const QUrl& base);

 private:
  QNetworkRequest request_for(const QString& path_and_query) const;
  // With a pin: accepts the node's certificate if and only if its fingerprint is the pin.
  QNetworkReply* check_certificate(QNetworkReply* reply) const;
  void finish(QNetworkReply* reply, QObject* context, Callback done);

  NodeEndpoint endpoint_;
  QNetworkAccessManager nam_;
  int timeout_ms_ = 30000;
};

}  // namespace itc::studio
