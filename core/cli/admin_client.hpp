// A small blocking HTTP/1.1 client for a node's admin API, for the `itc tx|chain`
// commands: one request per connection, bearer token from the node's admin.token file.
// Thread safety: an AdminClient is used by one thread at a time.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <string>

#include "itc/status.hpp"

namespace itc::cli {

// Where a node's admin API is and how to authenticate, as given on the command line.
struct NodeAccess {
  std::string url = "http://127.0.0.1:8740";  // the node's default admin.listen
  std::string token_file = "data/admin.token";
};
// Adds --node and --token-file (also taken from $ITC_NODE and $ITC_TOKEN_FILE).
void add_node_options(CLI::App* command, NodeAccess& access);

struct HttpReply {
  unsigned status = 0;
  std::string body;
};

class AdminClient {
 public:
  // Reads the token and checks the URL ("http://host:port"); errors name the file or URL.
  static Result<AdminClient> connect_to(const NodeAccess& access);

  // Unavailable naming the URL if the node cannot be reached or does not answer within
  // `timeout`; otherwise the HTTP status and body, whatever the status.
  Result<HttpReply> get(const std::string& target,
                        std::chrono::seconds timeout = std::chrono::seconds(10)) const;
  Result<HttpReply> post(const std::string& target, const std::string& body,
                         std::chrono::seconds timeout = std::chrono::seconds(10)) const;
  const std::string& url() const { return url_; }

 private:
  Result<HttpReply> request(const std::string& method, const std::string& target,
                            const std::string& body, std::chrono::seconds timeout) const;
  std::string url_;
  std::string host_;
  std::string port_;
  std::string token_;  // never printed
};

// An admin error reply as a Status: "<METHOD-less target>: HTTP 404: <error field>".
Status reply_error(const std::string& target, const HttpReply& reply);

}  // namespace itc::cli
