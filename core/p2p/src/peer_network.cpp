// PeerNetwork on Boost.Asio and OpenSSL: one io_context run by io_threads threads, a strand
// per link, a listener for incoming links and an OutboundPeer per other validator.
#include "itc/p2p/peer_network.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mutex>
#include <thread>

#include "checked_options.hpp"
#include "inbound_link.hpp"
#include "link_context.hpp"
#include "outbound_peer.hpp"

namespace itc::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// After a failed accept (e.g. out of file descriptors), wait before the next one rather
// than spin.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

class PeerNetworkImpl final : public PeerNetwork {
 public:
  explicit PeerNetworkImpl(Logger& log) : log_(log), work_(asio::make_work_guard(io_)) {}
  ~PeerNetworkImpl() override { stop(); }

  Status open(PeerNetworkOptions options, FrameHandler on_frame);
  void stop() override;
  bool send(std::uint32_t peer, std::string frame) override;
  void broadcast(const std::string& frame) override;
  std::vector<PeerStats> stats() const override;
  std::uint16_t listen_port() const override { return port_; }
  HandshakeStats handshake_stats() const override { return ctx_->handshakes.stats(); }

 private:
  Status listen(const HostPort& address);
  void accept_next();
  // Starts the handshake of an accepted connection if the HandshakeGate admits it, else
  // closes it unread.
  void admit(tcp::socket socket, Strand strand);
  void report_refusal(const tcp::endpoint& remote, const std::string& why);
  bool on_io_thread() const;

  Logger& log_;
  // Declared first, destroyed last: every socket and timer below belongs to it.
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::ssl::context tls_{asio::ssl::context::tls};
  std::unique_ptr<LinkContext> ctx_;
  tcp::acceptor acceptor_{io_};
  asio::steady_timer accept_retry_{io_};
  std::uint16_t port_ = 0;
  std::uint64_t refusals_reported_ = 0;                  // on the accept path only
  std::vector<std::shared_ptr<OutboundPeer>> outbound_;  // null at self_index

  std::mutex links_mu_;
  std::vector<std::weak_ptr<InboundLink>> inbound_links_;  // every accepted link, for stop()

  std::vector<std::thread> threads_;
  std::vector<std::thread::id> thread_ids_;
  std::mutex stop_mu_;
  bool stopped_ = false;
};

Status PeerNetworkImpl::open(PeerNetworkOptions options, FrameHandler on_frame) {
  if (!on_frame) return Status::InvalidArgument("peer network: no frame handler");
  auto checked = check_options(options);
  if (!checked.ok()) return checked.status();
  ITC_RETURN_IF_ERROR(configure_tls(tls_, options.identity).WithContext("peer network"));
  ITC_RETURN_IF_ERROR(listen(checked->listen));

  const std::uint32_t self = options.self_index;
  const unsigned threads = options.io_threads;
  ctx_ = std::make_unique<LinkContext>(std::move(options), std::move(checked->validators),
                                       std::move(checked->addresses), std::move(on_frame), log_,
                                       io_, tls_);
  std::string where = checked->listen.text;
  if (checked->listen.port == 0) where += " (port " + std::to_string(port_) + ")";
  log_.info("peer network: listening on " + where + " as " + ctx_->validators.describe(self) +
            " of " + std::to_string(ctx_->peers.size()) + " validators");
  accept_next();
  outbound_.resize(ctx_->peers.size());
  for (std::uint32_t i = 0; i < outbound_.size(); ++i) {
    if (i == self) continue;
    outbound_[i] = std::make_shared<OutboundPeer>(*ctx_, i);
    outbound_[i]->start();
  }
  for (unsigned i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        try {
          io_.run();
          return;
        } catch (const std::exception& e) {
          log_.error(std::string("peer network: I/O thread: ") + e.what());
        }
      }
    });
    thread_ids_.push_back(threads_.back().get_id());
  }
  return Status::Ok();
}

Status PeerNetworkImpl::listen(const HostPort& address) {
  auto fail = [&](const std::string& why) {
    return Status::Unavailable("peer network: listen " + address.text + ": " + why);
  };
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  asio::ip::address ip = asio::ip::make_address(address.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(ip, address.port);
  } else {
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(address.host, std::to_string(address.port), ec);
    if (ec || results.empty()) return fail("cannot resolve '" + address.host + "'");
    endpoint = results.begin()->endpoint();
  }
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return fail(ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  return Status::Ok();
}

void PeerNetworkImpl::accept_next() {
  Strand strand = asio::make_strand(io_);
  auto socket = std::make_shared<tcp::socket>(strand);
  acceptor_.async_accept(*socket, [this, socket, strand](const boost::system::error_code& ec) {
    if (ctx_->stopped.load() || ec == asio::error::operation_aborted) return;
    if (ec) {
      log_.warn("peer network: accepting a link on port " + std::to_string(port_) + ": " +
                ec.message());
      accept_retry_.expires_after(kAcceptRetryDelay);
      accept_retry_.async_wait([this](const boost::system::error_code& e) {
        if (!e && !ctx_->stopped.load()) accept_next();
      });
      return;
    }
    admit(std::move(*socket), strand);
    accept_next();
  });
}

void PeerNetworkImpl::admit(tcp::socket socket, Strand strand) {
  boost::system::error_code ec;
  tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return;  // already gone; the socket closes here
  HandshakeGate::Slot slot = ctx_->handshakes.admit(remote.address());
  if (!slot.admitted()) {
    report_refusal(remote, slot.refusal());
    socket.set_option(asio::socket_base::linger(true, 0), ec);  // reset: no TIME_WAIT kept
    socket.close(ec);
    return;
  }
  // Not make_shared: the weak_ptr kept for stop() must not keep the link's storage alive.
  std::shared_ptr<InboundLink> link(
      new InboundLink(*ctx_, strand, std::move(socket), std::move(slot)));
  {
    std::lock_guard lock(links_mu_);
    std::erase_if(inbound_links_, [](const auto& w) { return w.expired(); });
    inbound_links_.push_back(link);
  }
  asio::post(strand, [link] { link->start(); });  // everything of a link runs on its strand
}

void PeerNetworkImpl::report_refusal(const tcp::endpoint& remote, const std::string& why) {
  HandshakeStats stats = ctx_->handshakes.stats();
  const std::uint64_t refused = stats.refused_total + stats.refused_per_address;
  // One warning per cap in a while (the option's name leads `why`), the rest counted.
  if (!ctx_->warning_due("refused at " + why.substr(0, why.find(' ')))) return;
  log_.warn("peer network: refused a connection from " + remote.address().to_string() + ":" +
            std::to_string(remote.port()) + " unread: " + why + " (" +
            std::to_string(refused - refusals_reported_) + " refused since the last warning, " +
            std::to_string(refused) + " in all)");
  refusals_reported_ = refused;
}

bool PeerNetworkImpl::on_io_thread() const {
  return std::find(thread_ids_.begin(), thread_ids_.end(), std::this_thread::get_id()) !=
         thread_ids_.end();
}

void PeerNetworkImpl::stop() {
  if (on_io_thread()) {
    log_.error("peer network: stop() called from the frame handler; ignored");
    return;
  }
  std::lock_guard lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  if (ctx_) ctx_->stopped.store(true, std::memory_order_release);
  io_.stop();
  for (std::thread& t : threads_) t.join();
  // No I/O thread runs now: close everything from here, then let the aborted operations
  // complete (their handlers see `stopped` and do nothing) so they release their links.
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  for (auto& peer : outbound_) {
    if (peer) peer->close_now();
  }
  {
    std::lock_guard links_lock(links_mu_);
    for (auto& weak : inbound_links_) {
      if (auto link = weak.lock()) link->close_now();
    }
    inbound_links_.clear();
  }
  if (ctx_) {
    for (auto& record : ctx_->peers) {
      std::lock_guard record_lock(record->mu);
      record->inbound.reset();
    }
  }
  io_.restart();
  io_.poll();
  if (ctx_) log_.info("peer network: stopped");
}

bool PeerNetworkImpl::send(std::uint32_t peer, std::string frame) {
  if (peer >= outbound_.size() || !outbound_[peer]) return false;
  return outbound_[peer]->send(std::make_shared<const std::string>(std::move(frame)));
}

void PeerNetworkImpl::broadcast(const std::string& frame) {
  auto shared = std::make_shared<const std::string>(frame);
  for (auto& peer : outbound_) {
    if (peer) peer->send(shared);
  }
}

std::vector<PeerStats> PeerNetworkImpl::stats() const {
  std::vector<PeerStats> out(ctx_->peers.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const PeerRecord& record = *ctx_->peers[i];
    out[i].name = record.name;
    out[i].frames_received = record.frames_received.load(std::memory_order_relaxed);
    {
      std::lock_guard lock(record.mu);
      out[i].connected_in = record.inbound != nullptr;
      out[i].last_error = record.last_error;
    }
    if (outbound_[i]) outbound_[i]->fill_stats(out[i]);
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<PeerNetwork>> PeerNetwork::start(PeerNetworkOptions options,
                                                        FrameHandler on_frame, Logger& log) {
  std::unique_ptr<PeerNetworkImpl> network;
  Status status = guard("peer network: start", [&] {
    network = std::make_unique<PeerNetworkImpl>(log);
    return network->open(std::move(options), std::move(on_frame));
  });
  if (!status.ok()) return status;  // the destructor undoes whatever had started
  return std::unique_ptr<PeerNetwork>(std::move(network));
}

}  // namespace itc::net
