// The itc CLI's admin API client (see admin_client.hpp).
#include "admin_client.hpp"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <functional>

#include "itc/crypto.hpp"
#include "itc/file_io.hpp"

namespace itc::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace ssl = net::ssl;
using Endpoints = net::ip::tcp::resolver::results_type;
using Handshake = std::function<void(const std::function<void(beast::error_code)>&)>;

// Connects `transport`, runs `handshake` (TLS; nullptr for plain HTTP), writes `req` and
// reads `res` on `stream`, all within `timeout` (beast::tcp_stream's timeouts apply to
// asynchronous operations only, so the exchange runs asynchronously on this thread).
template <typename Stream>
beast::error_code exchange(net::io_context& ioc, beast::tcp_stream& transport, Stream& stream,
                           const Endpoints& endpoints, http::request<http::string_body>& req,
                           http::response<http::string_body>& res, std::chrono::seconds timeout,
                           const Handshake& handshake) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  auto talk = [&] {
    http::async_write(stream, req, [&](beast::error_code w, std::size_t) {
      if (w) {
        ec = w;
        return;
      }
      http::async_read(stream, buffer, res, [&](beast::error_code r, std::size_t) { ec = r; });
    });
  };
  transport.expires_after(timeout);
  transport.async_connect(endpoints, [&](beast::error_code c, const net::ip::tcp::endpoint&) {
    if (c) {
      ec = c;
      return;
    }
    if (!handshake) return talk();
    handshake([&](beast::error_code h) {
      if (h) {
        ec = h;
        return;
      }
      talk();
    });
  });
  ioc.run();
  return ec;
}

std::string trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(s.find_last_not_of(ws) + 1);
  s.erase(0, s.find_first_not_of(ws));
  return s;
}

}  // namespace

std::string certificate_fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (cert == nullptr || X509_digest(cert, EVP_sha256(), md, &len) != 1) return "(none)";
  return crypto::to_hex(std::string(reinterpret_cast<const char*>(md), len));
}

Result<std::string> certificate_pin(std::string_view text) {
  std::string hex;
  for (char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument("--pin: '" + std::string(text) +
                                     "' is not a SHA-256 fingerprint (64 hex digits, ':' allowed)");
    }
    hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (hex.size() != 64) {
    return Status::InvalidArgument("--pin: a SHA-256 fingerprint has 64 hex digits, got " +
                                   std::to_string(hex.size()));
  }
  return hex;
}

void add_node_options(CLI::App* command, NodeAccess& access) {
  command->add_option("--node", access.url, "The node's admin API URL (http:// or https://)")
      ->envname("ITC_NODE")
      ->capture_default_str();
  command
      ->add_option("--token-file", access.token_file,
                   "The node's admin token (its data_dir/admin.token) or a named token")
      ->envname("ITC_TOKEN_FILE")
      ->capture_default_str();
  command
      ->add_option("--ca", access.ca_file,
                   "https: trust the node's certificate if this CA (PEM) signed it for the "
                   "URL's host (default: the system's CAs)")
      ->envname("ITC_CA");
  command
      ->add_option("--pin", access.pin,
                   "https: trust only the certificate with this SHA-256 fingerprint (hex, ':' "
                   "allowed: `openssl x509 -noout -fingerprint -sha256 -in cert.pem`)")
      ->envname("ITC_PIN");
}

Result<AdminClient> AdminClient::connect_to(const NodeAccess& access) {
  AdminClient c;
  c.url_ = access.url;
  std::string rest = access.url;
  constexpr std::string_view kPlain = "http://";
  constexpr std::string_view kTls = "https://";
  if (rest.compare(0, kTls.size(), kTls) == 0) {
    c.https_ = true;
    rest.erase(0, kTls.size());
  } else if (rest.compare(0, kPlain.size(), kPlain) == 0) {
    rest.erase(0, kPlain.size());
  } else {
    return Status::InvalidArgument("--node " + access.url +
                                   ": expected http://host:port or https://host:port");
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size() ||
      rest.find('/') != std::string::npos) {
    return Status::InvalidArgument("--node " + access.url + ": expected http(s)://host:port");
  }
  c.host_ = rest.substr(0, colon);
  c.port_ = rest.substr(colon + 1);
  if (c.host_.size() > 2 && c.host_.front() == '[' && c.host_.back() == ']') {
    c.host_ = c.host_.substr(1, c.host_.size() - 2);
  }
  if (!c.https_ && (!access.ca_file.empty() || !access.pin.empty())) {
    return Status::InvalidArgument("--ca and --pin need an https:// --node URL, got " + access.url);
  }
  c.ca_file_ = access.ca_file;
  if (!access.pin.empty()) {
    auto pin = certificate_pin(access.pin);
    if (!pin.ok()) return pin.status();
    c.pin_ = std::move(*pin);
  }
  Result<std::string> token = read_file(access.token_file);
  if (!token.ok()) {
    return Status::NotFound("admin token: " + token.status().message() +
                            " (pass --token-file <node data_dir>/admin.token)");
  }
  c.token_ = trim(std::move(token).value());
  if (c.token_.empty()) return Status::InvalidArgument(access.token_file + " is empty");
  return c;
}

Result<HttpReply> AdminClient::get(const std::string& target, std::chrono::seconds timeout) const {
  return request("GET", target, "", timeout);
}

Result<HttpReply> AdminClient::post(const std::string& target, const std::string& body,
                                    std::chrono::seconds timeout) const {
  return request("POST", target, body, timeout);
}

Result<HttpReply> AdminClient::request(const std::string& method, const std::string& target,
                                       const std::string& body,
                                       std::chrono::seconds timeout) const {
  http::request<http::string_body> req(method == "POST" ? http::verb::post : http::verb::get,
                                       target, 11);
  req.set(http::field::host, host_);
  req.set(http::field::user_agent, "itc-cli");
  req.set(http::field::authorization, "Bearer " + token_);
  if (method == "POST") {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();

  net::io_context ioc;
  net::ip::tcp::resolver resolver(ioc);
  beast::error_code ec;
  auto endpoints = resolver.resolve(host_, port_, ec);
  auto unavailable = [&](const std::string& why) {
    return Status::Unavailable("cannot " + method + " " + url_ + target + ": " + why);
  };
  if (ec) return unavailable(ec.message());
  http::response<http::string_body> res;
  std::string refusal;  // why the node's certificate was refused
  if (!https_) {
    beast::tcp_stream stream(ioc);
    ec = exchange(ioc, stream, stream, endpoints, req, res, timeout, nullptr);
  } else {
    ssl::context tls(ssl::context::tls_client);
    // The context first: a stream copies its verify settings when it is made.
    if (Status st = configure_verification(tls, &refusal); !st.ok()) return st;
    beast::ssl_stream<beast::tcp_stream> stream(ioc, tls);
    if (pin_.empty()) expect_host(stream.native_handle());
    ec = exchange(ioc, beast::get_lowest_layer(stream), stream, endpoints, req, res, timeout,
                  [&stream](const std::function<void(beast::error_code)>& done) {
                    stream.async_handshake(ssl::stream_base::client, done);
                  });
  }
  if (ec == beast::error::timeout) {
    return Status::Unavailable("no answer from " + url_ + target + " within " +
                               std::to_string(timeout.count()) + " s");
  }
  if (!refusal.empty()) {
    return Status::PermissionDenied("refused the certificate of " + url_ + ": " + refusal);
  }
  if (ec) return unavailable(ec.message());
  return HttpReply{res.result_int(), std::move(res.body())};
}

// The certificate must name the URL's host (an IP address or a DNS name).
void AdminClient::expect_host(SSL* ssl) const {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (X509_VERIFY_PARAM_set1_ip_asc(param, host_.c_str()) != 1) {
    X509_VERIFY_PARAM_set1_host(param, host_.c_str(), 0);
    SSL_set_tlsext_host_name(ssl, host_.c_str());
  }
}

// The node's certificate must chain to --ca (or the system's CAs) and name the URL's host,
// or have the pinned fingerprint. `refusal` gets why it did not.
Status AdminClient::configure_verification(ssl::context& tls, std::string* refusal) const {
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_3_VERSION);
  tls.set_verify_mode(ssl::verify_peer);
  if (!pin_.empty()) {
    const std::string pin = pin_;
    tls.set_verify_callback([pin, refusal](bool, ssl::verify_context& ctx) {
      X509_STORE_CTX* store = ctx.native_handle();
      if (X509_STORE_CTX_get_error_depth(store) != 0) return true;  // only the node's own
      const std::string have = certificate_fingerprint(X509_STORE_CTX_get_current_cert(store));
      if (have == pin) return true;
      *refusal = "its SHA-256 fingerprint is " + have + ", not the pinned " + pin;
      return false;
    });
    return Status::Ok();
  }
  boost::system::error_code ec;
  if (!ca_file_.empty()) {
    if (Status st = check_readable_file(ca_file_); !st.ok()) return st;
    tls.load_verify_file(ca_file_, ec);
    if (ec) return Status::InvalidArgument("--ca " + ca_file_ + ": not a PEM certificate");
  } else {
    tls.set_default_verify_paths(ec);
  }
  const std::string trusted = ca_file_.empty() ? "the system's CAs" : "--ca " + ca_file_;
  tls.set_verify_callback([refusal, trusted](bool preverified, ssl::verify_context& ctx) {
    if (!preverified && refusal->empty()) {
      const int err = X509_STORE_CTX_get_error(ctx.native_handle());
      *refusal =
          std::string(X509_verify_cert_error_string(err)) + " (checked against " + trusted + ")";
    }
    return preverified;
  });
  return Status::Ok();
}

Status reply_error(const std::string& target, const HttpReply& reply) {
  google::protobuf::Struct err;
  std::string message = reply.body;
  if (google::protobuf::util::JsonStringToMessage(reply.body, &err).ok() &&
      err.fields().count("error")) {
    message = err.fields().at("error").string_value();
  }
  const std::string text = target + ": HTTP " + std::to_string(reply.status) + ": " + message;
  switch (reply.status) {
    case 400:
      return Status::InvalidArgument(text);
    case 401:
    case 403:
      return Status::PermissionDenied(text);
    case 404:
      return Status::NotFound(text);
    case 503:
      return Status::Unavailable(text);
    default:
      return Status::Internal(text);
  }
}

}  // namespace itc::cli
