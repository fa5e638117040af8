// AdminServer: the node's admin API over HTTP/1.1 (Boost.Beast).
//
// The endpoints (method, path, token or not, what each answers) are the route table in
// admin_routes.hpp; `itc-node --print-routes` prints them, as README.md lists them.
//
// HTTPS (TLS 1.3 only) when a certificate is configured; the certificate and key are
// re-read when they change on disk, without a restart, and their end of validity is the
// gauge itc_admin_certificate_expiry_seconds (Unix time). Each route needs a token role
// (admin_routes.hpp): 401 without a known token, 403 naming the role a weaker one lacks.
// Tokens are never logged.
//
// JSON is the protobuf JSON mapping (lowerCamelCase names, defaults printed). Errors are
// {"error": "<what was wrong>", "code": "<itc::Status code name>"} with a fitting HTTP
// status. Every endpoint but the public probes (/healthz, /readyz) needs `Authorization: Bearer
// <token>` (401 otherwise).
//
// Limits: a request's header is read and its token checked before any of its body is
// read, so an unauthenticated client is answered 401 without its body being read or
// buffered (and /healthz, /readyz never read one); `Expect: 100-continue` is honoured
// after the check. Header fields, and a chunked body's trailer fields, are limited to
// 16 KiB (431 beyond); bodies to 1 MiB (413). A response sent without reading the body
// closes the connection.
//
// Threading: one io thread runs the sockets; every call into Node runs on a small worker
// pool, so a slow swap never stalls other clients. An exception from one connection's
// handler, on either, ends that connection (500 where it can still answer) and is logged;
// the server and the process go on. POST /v1/tx holds no thread while it
// waits for the transaction's verdict: the pool's callback answers it. An event-stream
// client whose buffer overflows (it reads slower than events come) is disconnected with a
// logged reason; the node never waits for it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "itc/status.hpp"
#include "itc/v1/node.pb.h"

namespace itc::host {

class Node;
class AdminTokens;

struct AdminServerOptions {
  // "host:port" ("127.0.0.1:8740", "[::1]:0"; port 0 picks a free one).
  std::string listen;
  // The node's admin.token: an admin-role token (admin_tokens.hpp).
  std::string token;
  // Where named tokens are kept (admin-tokens.pb); empty: none, /v1/tokens answers 503.
  std::string data_dir;
  // cert_file set: HTTPS only, TLS 1.3 (admin_certificate.hpp), with client certificates
  // required if client_ca_file is set. Unset: plain HTTP, which start() refuses on a
  // non-loopback address unless `insecure_plain_http`.
  v1::AdminTls tls;
  bool insecure_plain_http = false;
};

class AdminServer {
 public:
  AdminServer(Node& node, AdminServerOptions options);
  // Plain HTTP on `listen` with `token` as the only (admin) token.
  AdminServer(Node& node, std::string listen, std::string token);
  ~AdminServer();  // stop()s
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Loads the certificate and the named tokens, binds and starts serving. On failure the
  // message names the address, file or setting and the reason.
  Status start();
  // Closes the listener and every connection, waits for in-flight Node calls, and
  // unsubscribes event streams. Idempotent.
  void stop();
  // The bound port (useful with port 0); 0 before start().
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads the admin token from `<data_dir>/admin.token`, or creates it there (32 random
// bytes as 64 hex characters, mode 0600) on first start. The token itself is never
// logged. Fails naming the file if it cannot be read or created or is malformed.
Result<std::string> load_or_create_admin_token(const std::string& data_dir);

// One non-streaming admin response, before HTTP framing.
struct AdminResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// A response that comes later (POST /v1/tx waits for the transaction's verdict).
struct DeferredAdminResponse {
  using Reply = std::function<void(AdminResponse)>;
  // Starts the work; it calls `reply` once, from any thread, possibly before returning.
  std::function<void(Reply reply)> start;
  // If no reply came by then, the client gets `on_timeout` and a later reply is dropped.
  std::chrono::milliseconds timeout{0};
  AdminResponse on_timeout;
};
using AdminOutcome = std::variant<AdminResponse, DeferredAdminResponse>;

// Serves one already-authenticated request, or GET /readyz (everything except /healthz,
// auth and /v1/events). Blocks on Node calls: run it off the io thread. Never throws.
// `tokens` serves the /v1/tokens routes (nullptr: they answer 503).
AdminOutcome route_admin_request(Node& node, std::string_view method, std::string_view target,
                                 const std::string& body, AdminTokens* tokens = nullptr);
// The same, waiting for a deferred response (up to its timeout) on the calling thread.
AdminResponse handle_admin_request(Node& node, std::string_view method, std::string_view target,
                                   const std::string& body);

// {"error": message, "code": CodeName(status)} with the HTTP status fitting the code.
AdminResponse admin_error(const Status& status);
AdminResponse admin_error(unsigned http_status, std::string_view code, std::string_view message);
// Inside a catch block: the 500 answer naming the exception being handled.
AdminResponse admin_error_for_exception();

}  // namespace itc::host
