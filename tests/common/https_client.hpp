// HttpsClient: requests to a node's admin API over HTTPS, as Studio and Prometheus make
// them: the CA it trusts, the TLS versions it offers and optionally a client certificate;
// a fresh connection per call (so a certificate rotated on the node is seen). Not
// thread-safe: use it from a thread that runs Qt events (a QtTest main's thread).
#pragma once

#include <QByteArray>
#include <QSslConfiguration>
#include <QString>
#include <cstdint>
#include <string>

#include "test_certificates.hpp"

namespace itc::testing {

struct HttpsReply {
  int status = 0;  // 0: no HTTP answer (refused handshake, timeout)
  QByteArray body;
  QString error;
  QByteArray peer_sha256;  // the node's certificate, hex; empty without a handshake
};

class HttpsClient {
 public:
  // Trusts only `ca_file`; offers TLS 1.2 and later.
  explicit HttpsClient(const std::string& ca_file);
  // Presents `pair` when the node asks for a client certificate. False if it does not load.
  bool present(const PemPair& pair);

  // `verb` https://127.0.0.1:`port``path` with `token` (none if empty) and `body`.
  HttpsReply call(std::uint16_t port, const QByteArray& verb, const QString& path,
                  const std::string& token, const QByteArray& body = {},
                  int timeout_ms = 15000) const;

  QSslConfiguration ssl;
};

}  // namespace itc::testing
