// AdminStream: one admin API connection's bytes, plain TCP or TLS over it.
// Thread safety: like the streams it wraps, one strand at a time.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <optional>
#include <utility>

namespace itc::host {

// One connection's bytes: plain TCP, or TLS over it once use_tls() was called (before any
// I/O). Models Asio's AsyncReadStream and AsyncWriteStream for Beast.
class AdminStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  explicit AdminStream(boost::asio::ip::tcp::socket&& socket)
      : plain_(std::in_place, std::move(socket)) {}

  void use_tls(boost::asio::ssl::context& context) {
    tls_.emplace(std::move(*plain_), context);
    plain_.reset();
  }
  boost::beast::ssl_stream<boost::beast::tcp_stream>* tls() { return tls_ ? &*tls_ : nullptr; }
  boost::beast::tcp_stream& transport() { return tls_ ? tls_->next_layer() : *plain_; }
  executor_type get_executor() { return transport().get_executor(); }

  template <typename Buffers, typename Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      plain_->async_read_some(buffers, std::forward<Handler>(handler));
    }
  }
  template <typename Buffers, typename Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    } else {
      plain_->async_write_some(buffers, std::forward<Handler>(handler));
    }
  }

 private:
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
};

}  // namespace itc::host
