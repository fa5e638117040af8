// A small blocking HTTP/1.1 client for a node's admin API, for the `itc tx|chain|admin`
// commands: one request per connection, bearer token from a file (the node's admin.token
// or a named token). Over https:// it speaks TLS 1.3 and verifies the node's certificate:
// against --ca FILE (and the URL's host), against a pinned SHA-256 fingerprint (--pin), or
// else against the system's trusted CAs; a certificate that fails is refused, saying why.
// Thread safety: an AdminClient is used by one thread at a time.
#pragma once

#include <openssl/ssl.h>

#include <CLI/CLI.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <string>

#include "itc/status.hpp"

namespace itc::cli {

// Where a node's admin API is and how to authenticate, as given on the command line.
struct NodeAccess {
  std::string url = "http://127.0.0.1:8740";  // the node's default admin.listen
  std::string token_file = "data/admin.token";
  std::string ca_file;  // https: the CA that signed the node's certificate
  std::string pin;      // https: the SHA-256 of the node's certificate (hex, ':' allowed)
};
// Adds --node, --token-file, --ca and --pin (also taken from $ITC_NODE, $ITC_TOKEN_FILE,
// $ITC_CA and $ITC_PIN).
void add_node_options(CLI::App* command, NodeAccess& access);

struct HttpReply {
  unsigned status = 0;
  std::string body;
};

class AdminClient {
 public:
  // Reads the token and checks the URL ("http://host:port", "https://host:port") and the
  // --pin; errors name the file, URL or option.
  static Result<AdminClient> connect_to(const NodeAccess& access);

  // Unavailable naming the URL if the node cannot be reached or does not answer within
  // `timeout`; otherwise the HTTP status and body, whatever the status.
  Result<HttpReply> get(const std::string& target,
                        std::chrono::seconds timeout = std::chrono::seconds(10)) const;
  Result<HttpReply> post(const std::string& target, const std::string& body,
                         std::chrono::seconds timeout = std::chrono::seconds(10)) const;
  const std::string& url() const { return url_; }

 private:
  Status configure_verification(boost::asio::ssl::context& tls, std::string* refusal) const;
  void expect_host(SSL* ssl) const;
  Result<HttpReply> request(const std::string& method, const std::string& target,
                            const std::string& body, std::chrono::seconds timeout) const;
  std::string url_;
  std::string host_;
  std::string port_;
  bool https_ = false;
  std::string ca_file_;
  std::string pin_;    // 64 lowercase hex digits, or empty
  std::string token_;  // never printed
};

// The SHA-256 of a certificate's DER form, 64 lowercase hex digits.
std::string certificate_fingerprint(X509* cert);
// A --pin as 64 lowercase hex digits (':' separators and upper case accepted).
Result<std::string> certificate_pin(std::string_view text);

// An admin error reply as a Status: "<METHOD-less target>: HTTP 404: <error field>".
Status reply_error(const std::string& target, const HttpReply& reply);

}  // namespace itc::cli
