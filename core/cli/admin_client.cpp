// The itc CLI's admin API client (see admin_client.hpp).
#include "admin_client.hpp"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "itc/file_io.hpp"

namespace itc::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

std::string trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(s.find_last_not_of(ws) + 1);
  s.erase(0, s.find_first_not_of(ws));
  return s;
}

}  // namespace

void add_node_options(CLI::App* command, NodeAccess& access) {
  command->add_option("--node", access.url, "The node's admin API URL")
      ->envname("ITC_NODE")
      ->capture_default_str();
  command
      ->add_option("--token-file", access.token_file,
                   "The node's admin token (its data_dir/admin.token)")
      ->envname("ITC_TOKEN_FILE")
      ->capture_default_str();
}

Result<AdminClient> AdminClient::connect_to(const NodeAccess& access) {
  AdminClient c;
  c.url_ = access.url;
  std::string rest = access.url;
  constexpr std::string_view kScheme = "http://";
  if (rest.compare(0, kScheme.size(), kScheme) != 0) {
    return Status::InvalidArgument("--node " + access.url +
                                   ": expected http://host:port (the admin API speaks plain "
                                   "HTTP on loopback)");
  }
  rest.erase(0, kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size() ||
      rest.find('/') != std::string::npos) {
    return Status::InvalidArgument("--node " + access.url + ": expected http://host:port");
  }
  c.host_ = rest.substr(0, colon);
  c.port_ = rest.substr(colon + 1);
  if (c.host_.size() > 2 && c.host_.front() == '[' && c.host_.back() == ']') {
    c.host_ = c.host_.substr(1, c.host_.size() - 2);
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
  auto unavailable = [&](const beast::error_code& ec) {
    return Status::Unavailable("cannot " + method + " " + url_ + target + ": " + ec.message());
  };
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
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  auto endpoints = resolver.resolve(host_, port_, ec);
  if (ec) return unavailable(ec);
  // beast::tcp_stream's timeouts apply to asynchronous operations only, so the exchange
  // runs asynchronously on this thread's io_context: connect, write, read.
  http::response<http::string_body> res;
  beast::flat_buffer buffer;
  stream.expires_after(timeout);
  stream.async_connect(endpoints, [&](beast::error_code c, const net::ip::tcp::endpoint&) {
    if (c) {
      ec = c;
      return;
    }
    http::async_write(stream, req, [&](beast::error_code w, std::size_t) {
      if (w) {
        ec = w;
        return;
      }
      http::async_read(stream, buffer, res, [&](beast::error_code r, std::size_t) { ec = r; });
    });
  });
  ioc.run();
  if (ec == beast::error::timeout) {
    return Status::Unavailable("no answer from " + url_ + target + " within " +
                               std::to_string(timeout.count()) + " s");
  }
  if (ec) return unavailable(ec);
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  return HttpReply{res.result_int(), std::move(res.body())};
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
