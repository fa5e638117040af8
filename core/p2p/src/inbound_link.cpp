#include "inbound_link.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace itc::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string describe_read_error(const boost::system::error_code& ec) {
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    return "closed by the peer";
  }
  if (ec == asio::error::operation_aborted) return "closed";
  return ec.message();
}

}  // namespace

InboundLink::InboundLink(LinkContext& ctx, Strand strand, tcp::socket socket,
                         HandshakeGate::Slot slot)
    : ctx_(ctx),
      slot_(std::move(slot)),
      strand_(strand),
      stream_(std::move(socket), ctx.tls),
      deadline_(strand),
      reader_(ctx.options.max_frame_bytes) {}

void InboundLink::start() {
  if (closed_) return;  // stop() came first
  boost::system::error_code ec;
  tcp::endpoint remote = socket().remote_endpoint(ec);
  remote_host_ = ec ? std::string("an unknown address") : remote.address().to_string();
  remote_ = ec ? remote_host_ : remote_host_ + ":" + std::to_string(remote.port());
  socket().set_option(tcp::no_delay(true), ec);
  socket().set_option(asio::socket_base::keep_alive(true), ec);

  check_.validators = &ctx_.validators;
  check_.attach(stream_.native_handle());
  auto self = shared_from_this();
  deadline_.expires_after(ctx_.options.handshake_timeout);
  deadline_.async_wait(asio::bind_executor(strand_, [self](const boost::system::error_code& e) {
    if (e || self->closed_) return;
    self->ctx_.handshakes.count_timeout();
    self->fail("TLS handshake timeout (" +
                   std::to_string(self->ctx_.options.handshake_timeout.count()) + " ms)",
               true);
  }));
  stream_.async_handshake(asio::ssl::stream_base::server,
                          asio::bind_executor(strand_, [self](const boost::system::error_code& e) {
                            self->on_handshake(e);
                          }));
}

void InboundLink::on_handshake(const boost::system::error_code& ec) {
  if (closed_) return;
  if (ec || !check_.peer) {
    refused_by_peer_ = net::refused_by_peer(ec);
    fail(ec ? describe_tls_error(ec, check_) : "internal error: handshake proved no key", true);
    return;
  }
  deadline_.cancel();
  slot_.release();
  peer_ = *check_.peer;
  ctx_.log.info("link from " + ctx_.peers[*peer_]->name + " (" + remote_ +
                ") up: " + describe_session(stream_.native_handle()));
  if (auto replaced = ctx_.adopt_inbound(*peer_, shared_from_this())) {
    replaced->close("replaced by a newer link from " + ctx_.peers[*peer_]->name);
  }
  auto self = shared_from_this();
  asio::async_write(
      stream_, asio::buffer(acceptance_),
      asio::bind_executor(strand_, [self](const boost::system::error_code& e, std::size_t) {
        if (self->closed_) return;
        if (e) return self->fail(describe_read_error(e), e != asio::error::eof);
        self->read_more();
      }));
}

void InboundLink::read_more() {
  std::span<char> space = reader_.prepare();
  auto self = shared_from_this();
  stream_.async_read_some(
      asio::buffer(space.data(), space.size()),
      asio::bind_executor(strand_, [self](const boost::system::error_code& ec, std::size_t n) {
        self->on_read(ec, n);
      }));
}

void InboundLink::on_read(const boost::system::error_code& ec, std::size_t n) {
  if (closed_) return;
  reader_.commit(n);
  std::string frame;
  FrameReader::Next next;
  while ((next = reader_.next(frame)) == FrameReader::Next::kFrame) {
    ready_.push_back(std::move(frame));
  }
  if (!ready_.empty()) {
    ctx_.deliver(*peer_, ready_);
    ready_.clear();
  }
  if (next == FrameReader::Next::kTooLarge) {
    fail("a frame of " + std::to_string(reader_.declared_length()) +
             " bytes exceeds max_frame_bytes " + std::to_string(ctx_.options.max_frame_bytes),
         true);
    return;
  }
  if (ec) {
    bool plain_close = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
                       ec == asio::error::operation_aborted;
    std::string reason = describe_read_error(ec);
    if (reader_.pending_bytes() > 0) {
      reason += " (" + std::to_string(reader_.pending_bytes()) +
                " bytes of an incomplete frame discarded)";
    }
    fail(std::move(reason), !plain_close);
    return;
  }
  read_more();
}

void InboundLink::close(std::string reason) {
  asio::post(strand_, [self = shared_from_this(), reason = std::move(reason)]() mutable {
    self->fail(std::move(reason), false);
  });
}

void InboundLink::fail(std::string reason, bool trouble) {
  if (closed_) return;
  close_now();
  if (ctx_.stopped.load()) return;
  if (!peer_) {
    std::string line = refused_by_peer_ ? "incoming link from " + remote_ + " failed: " + reason
                                        : "refused link from " + remote_ + ": " + reason;
    if (ctx_.warning_due(remote_host_ + " " + reason)) {
      ctx_.log.warn(line);
    } else {
      ctx_.log.debug(line);
    }
    return;
  }
  std::string line =
      "link from " + ctx_.peers[*peer_]->name + " (" + remote_ + ") closed: " + reason;
  if (trouble) {
    ctx_.set_last_error(*peer_, "incoming link: " + reason);
    ctx_.log.warn(line);
  } else {
    ctx_.log.info(line);
  }
  ctx_.release_inbound(*peer_, this);
}

void InboundLink::close_now() {
  closed_ = true;
  deadline_.cancel();
  boost::system::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

}  // namespace itc::net
