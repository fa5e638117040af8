// AdminServer: sockets, HTTP framing, authentication and the event stream. Which
// endpoints exist and who may call them is the route table (admin_routes.hpp); what each
// does is in admin_routes.cpp.
#include "host/admin_server.hpp"

#include <google/protobuf/util/json_util.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <deque>
#include <future>
#include <limits>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "host/admin_certificate.hpp"
#include "host/admin_routes.hpp"
#include "host/admin_stream.hpp"
#include "host/admin_tokens.hpp"
#include "host/listen_address.hpp"
#include "host/metrics_registry.hpp"
#include "host/node.hpp"

namespace itc::host {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kBodyLimit = 1 << 20;  // 1 MiB
// Request line plus header fields, and separately a chunked body's trailer fields. Beast
// 1.74 bounds headers by the parser's header_limit but not trailers, and throws on a
// trailer field over 64 KiB; so the read buffer, which must hold a whole trailer section,
// is bounded too.
constexpr std::uint32_t kFieldsLimit = 16 * 1024;
constexpr std::size_t kReadBufferLimit = kFieldsLimit;
constexpr auto kReadTimeout = std::chrono::seconds(60);
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr auto kEventKeepAlive = std::chrono::seconds(15);
constexpr std::size_t kEventBufferEvents = 1024;    // per event-stream client
constexpr std::size_t kEventBufferBytes = 1 << 20;  // per event-stream client
constexpr int kWorkerThreads = 4;  // Node serialises lifecycle calls; reads stay free

namespace ssl = net::ssl;

// "127.0.0.1:8740", "[::1]:0", "localhost:8740" → endpoint; errors name the address.
Result<tcp::endpoint> parse_listen(const std::string& listen) {
  auto parsed = parse_listen_address(listen);
  if (!parsed.ok()) return parsed.status();
  boost::system::error_code ec;
  net::ip::address addr = net::ip::make_address(parsed->ip, ec);
  if (ec) return Status::InvalidArgument("admin listen address '" + listen + "': " + ec.message());
  return tcp::endpoint(addr, parsed->port);
}

std::string event_frame(const v1::Event& event) {
  google::protobuf::util::JsonPrintOptions opts;
  opts.always_print_primitive_fields = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(event, &json, opts).ok()) return {};
  return "data: " + json + "\n\n";  // protobuf JSON has no raw newlines
}

class Session;

// Closed before the io_context goes away; event sinks the Node still holds check it
// before touching a session.
struct EventGate {
  std::mutex mu;
  bool open = true;
};

struct ServerState {
  ServerState(Node& n, AdminServerOptions o)
      : node(n), options(std::move(o)), listen(options.listen) {}

  Node& node;
  const AdminServerOptions options;
  const std::string listen;
  std::unique_ptr<AdminTokens> tokens;            // set by start()
  std::shared_ptr<AdminCertificate> certificate;  // set by start() for HTTPS
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  net::steady_timer accept_retry{ioc};
  net::thread_pool workers{kWorkerThreads};
  std::thread io_thread;
  std::shared_ptr<EventGate> gate = std::make_shared<EventGate>();
  std::uint16_t port = 0;
  bool running = false;
  bool stopped = false;  // a stopped server cannot start again (its workers are joined)

  std::mutex mu;                                 // guards the two below
  std::vector<std::weak_ptr<Session>> sessions;  // for stop()
  std::set<std::uint64_t> subscriptions;         // event sinks registered with the Node

  void accept();
  void run_io();
  // Runs `task` on the worker pool. An exception escaping a pool thread would end the
  // process: it is logged instead.
  template <typename Task>
  void on_worker(const char* what, Task task) {
    net::post(workers, [what, task = std::move(task)]() mutable {
      try {
        task();
      } catch (const std::exception& e) {
        spdlog::error("admin: {} failed: {}", what, e.what());
      } catch (...) {
        spdlog::error("admin: {} failed with an unknown exception", what);
      }
    });
  }
  void unsubscribe_later(std::uint64_t id) {
    on_worker("ending an event subscription", [this, id] {
      node.unsubscribe_events(id);
      std::lock_guard lock(mu);
      subscriptions.erase(id);
    });
  }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ServerState& server)
      : stream_(std::move(socket)),
        executor_(stream_.get_executor()),
        server_(server),
        keepalive_(executor_),
        reply_timer_(executor_) {
    boost::system::error_code ec;
    auto ep = stream_.transport().socket().remote_endpoint(ec);
    remote_ = ec ? "unknown peer" : ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  void start() {
    net::dispatch(executor_, [self = shared_from_this()] { self->begin(); });
  }

  // Called on the Node's thread for each event; never blocks.
  void offer_event(std::string frame) {
    bool overflow = false;
    {
      std::lock_guard lock(mu_);
      if (closed_ || overflowed_) return;
      if (pending_.size() >= kEventBufferEvents ||
          pending_bytes_ + frame.size() > kEventBufferBytes) {
        overflowed_ = true;
        overflow = true;
      } else {
        pending_bytes_ += frame.size();
        pending_.push_back(std::move(frame));
      }
    }
    net::post(executor_, [self = shared_from_this(), overflow] {
      if (overflow) {
        self->drop_slow_client();
      } else {
        self->pump_events();
      }
    });
  }

  // On the strand, once the Node accepted the subscription.
  void subscribed(std::uint64_t id) {
    bool closed;
    {
      std::lock_guard lock(mu_);
      closed = closed_;
    }
    if (closed) {
      server_.unsubscribe_later(id);
      return;
    }
    subscription_ = id;
    offer_event(": subscribed\n\n");
  }

 private:
  // HTTPS: the TLS handshake first (TLS 1.3 only; with mTLS, a client certificate the CA
  // signed), on the certificate current at this moment.
  void begin() {
    if (!server_.certificate) return read_request();
    tls_context_ = server_.certificate->context();
    stream_.use_tls(*tls_context_);
    stream_.transport().expires_after(kReadTimeout);
    stream_.tls()->async_handshake(
        ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
          if (ec) {
            spdlog::debug("admin: TLS handshake with {} failed: {}", self->remote_, ec.message());
            return self->close();
          }
          self->read_request();
        });
  }

  // A request is read in two steps: its header, then (once the client is authenticated
  // and the request is one that takes a body) its body. So an unauthenticated client
  // never gets a byte of its body read or buffered.
  void read_request() {
    parser_.emplace();
    parser_->header_limit(kFieldsLimit);
    // No limit yet: Beast would refuse a large Content-Length before the token is checked
    // (413 instead of 401). on_header() checks it, and bounds a chunked body, after auth.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    method_ = "?";
    target_ = "?";
    stream_.transport().expires_after(kReadTimeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    const http::request<http::string_body>& req = parser_->get();
    method_ = std::string(req.method_string());
    target_ = std::string(req.target());
    started_ = Clock::now();
    const bool has_body = !parser_->is_done();
    // A response sent without reading the body ends the connection (linger_close
    // discards what still comes) instead of parsing the body as the next request.
    const bool keep_alive = req.keep_alive() && !has_body;
    const std::string_view path = std::string_view(target_).substr(0, target_.find('?'));

    if (admin_path_is_public(path)) {  // probes: no token, no body
      if (method_ != "GET") return respond(admin_error(405, "InvalidArgument", "use GET"), false);
      if (path == "/healthz") {
        return respond(AdminResponse{200, "text/plain; charset=utf-8", "ok\n"}, keep_alive);
      }
      return dispatch(std::string(), keep_alive);
    }
    if (AdminResponse refusal = authorize(req, path); refusal.status != 0) {
      return respond(std::move(refusal), keep_alive);
    }
    if (path == "/v1/events") {
      if (method_ != "GET") {
        return respond(admin_error(405, "InvalidArgument", "use GET on /v1/events"), false);
      }
      return start_event_stream();
    }
    if (!has_body) return dispatch(std::string(), req.keep_alive());
    if (auto length = parser_->content_length(); length && *length > kBodyLimit) {
      return body_too_large();
    }
    parser_->body_limit(kBodyLimit);  // a chunked body counts against it chunk by chunk
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto go_on = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      stream_.transport().expires_after(kWriteTimeout);
      return http::async_write(
          stream_, *go_on, [self = shared_from_this(), go_on](beast::error_code e, std::size_t) {
            if (e) return self->close();
            self->read_body();
          });
    }
    read_body();
  }

  void read_body() {
    stream_.transport().expires_after(kReadTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
  }

  void on_body(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    const bool keep_alive = parser_->get().keep_alive();
    dispatch(std::move(parser_->get().body()), keep_alive);
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit) return body_too_large();
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      return respond(admin_error(431, "InvalidArgument",
                                 "request header or trailer fields exceed the " +
                                     std::to_string(kFieldsLimit / 1024) + " KiB limit"),
                     false);
    }
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return respond(admin_error(400, "InvalidArgument", "malformed HTTP request: " + ec.message()),
                     false);
    }
    if (ec != http::error::end_of_stream && ec != net::error::operation_aborted) {
      spdlog::debug("admin: connection from {} ended: {}", remote_, ec.message());
    }
    close();
  }

  void body_too_large() {
    respond(admin_error(413, "InvalidArgument", "request body exceeds the 1 MiB limit"), false);
  }

  // Runs the request on a worker. Nothing thrown there may escape into the pool's thread
  // (that would end the process): the client gets a 500 instead.
  void dispatch(std::string body, bool keep_alive) {
    net::post(server_.workers, [self = shared_from_this(), body = std::move(body), keep_alive] {
      try {
        AdminOutcome outcome = route_admin_request(self->server_.node, self->method_, self->target_,
                                                   body, self->server_.tokens.get());
        if (auto* r = std::get_if<AdminResponse>(&outcome)) {
          return self->respond_later(std::move(*r), keep_alive);
        }
        self->await_reply(std::move(std::get<DeferredAdminResponse>(outcome)), keep_alive);
      } catch (...) {
        self->respond_later(admin_error_for_exception(), false);
      }
    });
  }

  // From a worker: answers on the session's strand.
  void respond_later(AdminResponse r, bool keep_alive) {
    net::post(executor_, [self = shared_from_this(), r = std::move(r), keep_alive]() mutable {
      self->respond(std::move(r), keep_alive);
    });
  }

  // On a worker: starts a deferred response and answers with whichever comes first, its
  // reply or its timeout. The reply callback owns no io object (a plugin may keep it past
  // the server's life); it finds the session through a weak pointer and the gate.
  void await_reply(DeferredAdminResponse deferred, bool keep_alive) {
    const std::uint64_t request = ++deferred_requests_;
    net::post(executor_, [self = shared_from_this(), request, keep_alive,
                          timeout = deferred.timeout,
                          on_timeout = std::move(deferred.on_timeout)]() mutable {
      self->awaiting_ = request;
      self->reply_timer_.expires_after(timeout);
      self->reply_timer_.async_wait([self, request, keep_alive, on_timeout = std::move(on_timeout)](
                                        beast::error_code ec) mutable {
        if (!ec) self->answer(request, std::move(on_timeout), keep_alive);
      });
    });
    std::weak_ptr<Session> weak = weak_from_this();
    std::shared_ptr<EventGate> gate = server_.gate;
    auto reply = [weak, gate, request, keep_alive](AdminResponse r) {
      std::lock_guard lock(gate->mu);
      if (!gate->open) return;
      if (auto self = weak.lock()) {
        net::post(self->executor_, [self, request, keep_alive, r = std::move(r)]() mutable {
          self->answer(request, std::move(r), keep_alive);
        });
      }
    };
    try {
      deferred.start(reply);
    } catch (...) {
      reply(admin_error_for_exception());
    }
  }

  // On the strand: the first answer to the awaited request is sent, later ones dropped.
  void answer(std::uint64_t request, AdminResponse r, bool keep_alive) {
    if (awaiting_ != request) return;
    awaiting_ = 0;
    reply_timer_.cancel();
    respond(std::move(r), keep_alive);
  }

  // {status 0} if the request's bearer token has the role its route needs; else 401 (no
  // or unknown token) or 403 (naming the role the route needs). Never echoes the token.
  AdminResponse authorize(const http::request<http::string_body>& req, std::string_view path) {
    auto it = req.find(http::field::authorization);
    if (it == req.end()) {
      return admin_error(401, "PermissionDenied",
                         "missing 'Authorization: Bearer <token>' header; the token is in the "
                         "node's data directory, file admin.token");
    }
    std::string_view value(it->value().data(), it->value().size());
    constexpr std::string_view kScheme = "bearer ";
    bool scheme_ok = value.size() > kScheme.size();
    for (std::size_t i = 0; scheme_ok && i < kScheme.size(); ++i) {
      scheme_ok = std::tolower(static_cast<unsigned char>(value[i])) == kScheme[i];
    }
    if (!scheme_ok) {
      return admin_error(401, "PermissionDenied",
                         "Authorization header is not of the form 'Bearer <token>'");
    }
    auto holder = server_.tokens->find(value.substr(kScheme.size()));
    if (!holder) {
      return admin_error(401, "PermissionDenied",
                         "admin token does not match this node's admin.token nor any of its "
                         "named tokens (unknown or revoked)");
    }
    const AdminAccess needed = admin_route_access(method_, path);
    if (static_cast<int>(holder->role) < static_cast<int>(needed)) {
      spdlog::info("admin: token '{}' ({}) refused {} {} from {}: needs {}", holder->name,
                   admin_role_name(holder->role), method_, path, remote_,
                   admin_access_name(needed));
      return admin_error(403, "PermissionDenied",
                         "token '" + holder->name + "' has the " +
                             std::string(admin_role_name(holder->role)) + " role; " + method_ +
                             " " + std::string(path) + " needs the " +
                             std::string(admin_access_name(needed)) + " role");
    }
    return AdminResponse{0, {}, {}};
  }

  void respond(AdminResponse r, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(r.status);
    res->set(http::field::server, "itc-node");
    res->set(http::field::content_type, r.content_type);
    if (r.status == 401) res->set(http::field::www_authenticate, "Bearer");
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
    spdlog::debug("admin: {} {} from {} -> {} ({} ms)", method_, target_, remote_, r.status,
                  ms.count());
    stream_.transport().expires_after(kWriteTimeout);
    http::async_write(
        stream_, *res,
        [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
          if (ec) return self->close();
          if (!keep_alive) return self->linger_close();
          self->read_request();
        });
  }

  // Ends a connection after a final response: stops sending, then reads and discards
  // what the client still sends (e.g. the rest of a body over the limit) for up to
  // kLingerTime, so that closing does not reset the connection before the client has
  // read the response.
  void linger_close() {
    beast::error_code ec;
    stream_.transport().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    stream_.transport().expires_after(kLingerTime);
    discard_until_eof();
  }

  void discard_until_eof() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->discard_until_eof();
                            });
  }

  void start_event_stream() {
    spdlog::debug("admin: GET /v1/events from {} -> event stream", remote_);
    stream_.transport().expires_never();
    {
      std::lock_guard lock(mu_);
      std::string header =
          "HTTP/1.1 200 OK\r\nServer: itc-node\r\nContent-Type: text/event-stream\r\n"
          "Cache-Control: no-cache\r\nConnection: close\r\n\r\n";
      pending_bytes_ += header.size();
      pending_.push_back(std::move(header));
    }
    pump_events();
    watch_for_hangup();
    schedule_keepalive();
    std::weak_ptr<Session> weak = weak_from_this();
    std::shared_ptr<EventGate> gate = server_.gate;
    server_.on_worker("subscribing an event stream", [self = shared_from_this(), weak, gate] {
      std::uint64_t id = self->server_.node.subscribe_events([weak, gate](const v1::Event& e) {
        std::lock_guard lock(gate->mu);
        if (!gate->open) return;
        std::string frame = event_frame(e);
        if (frame.empty()) return;
        if (auto s = weak.lock()) s->offer_event(std::move(frame));
      });
      {
        std::lock_guard lock(self->server_.mu);
        self->server_.subscriptions.insert(id);
      }
      net::post(self->executor_, [self, id] { self->subscribed(id); });
    });
  }

  void pump_events() {
    if (writing_) return;
    {
      std::lock_guard lock(mu_);
      if (closed_ || pending_.empty()) return;
      current_ = std::move(pending_.front());
      pending_.pop_front();
      pending_bytes_ -= current_.size();
    }
    writing_ = true;
    stream_.transport().expires_after(kWriteTimeout);
    net::async_write(stream_, net::buffer(current_),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       self->stream_.transport().expires_never();
                       if (ec) {
                         spdlog::debug("admin: event stream to {} ended: {}", self->remote_,
                                       ec.message());
                         return self->close();
                       }
                       self->pump_events();
                     });
  }

  // An event-stream client sends nothing; a read completing means it hung up.
  void watch_for_hangup() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->watch_for_hangup();
                            });
  }

  void schedule_keepalive() {
    keepalive_.expires_after(kEventKeepAlive);
    keepalive_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->offer_event(": keepalive\n\n");
      self->schedule_keepalive();
    });
  }

  void drop_slow_client() {
    std::size_t events = 0;
    std::size_t bytes = 0;
    {
      std::lock_guard lock(mu_);
      events = pending_.size();
      bytes = pending_bytes_;
    }
    spdlog::warn(
        "admin: event stream to {} disconnected: the client reads too slowly and its buffer "
        "overflowed ({} events, {} bytes unsent)",
        remote_, events, bytes);
    close();
  }

 public:
  // Closes the connection. Call on the session's strand (or the only io thread).
  void close_now() { close(); }

 private:
  void close() {
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      closed_ = true;
      pending_.clear();
      pending_bytes_ = 0;
    }
    keepalive_.cancel();
    reply_timer_.cancel();
    awaiting_ = 0;
    beast::error_code ec;
    stream_.transport().socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.transport().close();
    if (subscription_) server_.unsubscribe_later(*subscription_);
    subscription_.reset();
  }

  AdminStream stream_;
  std::shared_ptr<ssl::context> tls_context_;  // HTTPS: the certificate this connection uses
  const net::any_io_executor executor_;
  ServerState& server_;
  std::string remote_;
  beast::flat_buffer buffer_{kReadBufferLimit};  // unparsed input only; see kFieldsLimit
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string method_;
  std::string target_;
  Clock::time_point started_ = Clock::now();

  // Event stream. `mu_` guards pending_, pending_bytes_, overflowed_ and closed_ (the
  // Node's thread offers events); the rest is touched on the strand only.
  std::mutex mu_;
  std::deque<std::string> pending_;
  std::size_t pending_bytes_ = 0;
  bool overflowed_ = false;
  bool closed_ = false;
  bool writing_ = false;
  std::string current_;
  std::array<char, 4096> scratch_{};  // discarded input (event streams, lingering close)
  net::steady_timer keepalive_;
  std::optional<std::uint64_t> subscription_;

  // A deferred response being awaited (one request at a time per connection).
  std::atomic<std::uint64_t> deferred_requests_{0};  // numbers them, from worker threads
  std::uint64_t awaiting_ = 0;                       // on the strand; 0: none
  net::steady_timer reply_timer_;
};

// Serves until stop(). A handler that throws loses its own connection (its operation is
// abandoned and the session freed), never the server or the process: the io_context
// resumes where it was.
void ServerState::run_io() {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("admin: a connection ended with an exception ({}); serving on", e.what());
    } catch (...) {
      spdlog::error("admin: a connection ended with an unknown exception; serving on");
    }
  }
}

void ServerState::accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // E.g. out of file descriptors: wait a little instead of spinning.
      spdlog::warn("admin: accept on {} failed: {}", listen, ec.message());
      accept_retry.expires_after(std::chrono::milliseconds(200));
      accept_retry.async_wait([this](beast::error_code e) {
        if (!e) accept();
      });
      return;
    }
    auto session = std::make_shared<Session>(std::move(socket), *this);
    {
      std::lock_guard lock(mu);
      std::erase_if(sessions, [](const std::weak_ptr<Session>& w) { return w.expired(); });
      sessions.push_back(session);
    }
    session->start();
    accept();
  });
}

// Tokens, certificate and the plain-HTTP rule, before the socket is bound.
Status prepare_security(ServerState& s) {
  const bool https = !s.options.tls.cert_file().empty() || !s.options.tls.key_file().empty();
  if (!https && !s.options.insecure_plain_http) {
    auto address = parse_listen_address(s.listen);
    if (address.ok() && !address->loopback()) {
      return Status::FailedPrecondition(
          "admin API on " + s.listen +
          " would serve plain HTTP off loopback (tokens in clear on the network); set "
          "admin.tls (cert_file, key_file) or, knowingly, admin.insecure_plain_http: true");
    }
  }
  auto tokens = AdminTokens::open(s.options.data_dir, s.options.token);
  if (!tokens.ok()) return tokens.status();
  s.tokens = std::move(*tokens);
  if (!https) return Status::Ok();
  auto certificate = std::make_shared<AdminCertificate>(s.options.tls);
  if (Status st = certificate->load(); !st.ok()) {
    return Status::InvalidArgument("admin.tls: " + st.message());
  }
  s.certificate = certificate;
  s.node.metrics().add_collector(
      "itc_admin_certificate_expiry_seconds",
      "When the admin API's TLS certificate stops being valid (Unix time, seconds)", "gauge",
      [certificate] {
        return std::vector<MetricsRegistry::Sample>{
            {MetricsRegistry::label("cert_file", certificate->cert_file()),
             static_cast<double>(certificate->not_after())}};
      });
  return Status::Ok();
}

}  // namespace

struct AdminServer::Impl : ServerState {
  using ServerState::ServerState;
};

AdminServer::AdminServer(Node& node, AdminServerOptions options)
    : impl_(std::make_unique<Impl>(node, std::move(options))) {}

AdminServer::AdminServer(Node& node, std::string listen, std::string token)
    : AdminServer(node, AdminServerOptions{std::move(listen), std::move(token), {}, {}, false}) {}

AdminServer::~AdminServer() { stop(); }

Status AdminServer::start() {
  Impl& s = *impl_;
  if (s.running || s.stopped) {
    return Status::FailedPrecondition("admin server on " + s.listen + " was already started");
  }
  Result<tcp::endpoint> ep = parse_listen(s.listen);
  if (!ep.ok()) return ep.status();
  if (Status st = prepare_security(s); !st.ok()) return st;
  boost::system::error_code ec;
  auto fail = [&](std::string_view what) {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    return Status::Unavailable("admin API cannot " + std::string(what) + " " + s.listen + ": " +
                               ec.message());
  };
  s.acceptor.open(ep->protocol(), ec);
  if (ec) return fail("open a socket for");
  s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR on");
  s.acceptor.bind(*ep, ec);
  if (ec) return fail("bind");
  s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  s.port = s.acceptor.local_endpoint(ec).port();
  s.running = true;
  s.accept();
  s.io_thread = std::thread([&s] { s.run_io(); });
  spdlog::debug("admin: listening on {} (port {}, {})", s.listen, s.port,
                s.certificate ? "HTTPS" : "plain HTTP");
  return Status::Ok();
}

void AdminServer::stop() {
  Impl& s = *impl_;
  if (!s.running) return;
  s.running = false;
  s.stopped = true;
  {
    std::lock_guard lock(s.gate->mu);
    s.gate->open = false;  // no more events posted into the io_context
  }
  // Close the listener and every connection on the io thread, and wait until it is done.
  std::promise<void> closed;
  net::post(s.ioc, [&s, &closed] {
    boost::system::error_code ec;
    s.acceptor.close(ec);
    s.accept_retry.cancel();
    std::vector<std::weak_ptr<Session>> sessions;
    {
      std::lock_guard lock(s.mu);
      sessions.swap(s.sessions);
    }
    // One io thread: running close() here cannot race with the sessions' strands.
    for (auto& w : sessions) {
      if (auto session = w.lock()) session->close_now();
    }
    closed.set_value();
  });
  closed.get_future().wait();
  s.workers.join();  // in-flight Node calls finish; their replies are not sent
  s.ioc.stop();
  if (s.io_thread.joinable()) s.io_thread.join();
  std::set<std::uint64_t> left;
  {
    std::lock_guard lock(s.mu);
    left.swap(s.subscriptions);
  }
  for (std::uint64_t id : left) s.node.unsubscribe_events(id);
}

std::uint16_t AdminServer::port() const { return impl_->port; }

}  // namespace itc::host
