// InboundLink: a connection another validator dialled to send us frames. It proves the
// dialler's key in the TLS handshake (learning which validator it is), confirms with an
// empty frame — the "link accepted" signal the dialler waits for before sending — and then
// reads frames and hands them to the frame handler until the link closes. It holds a
// HandshakeGate slot from before its TLS state exists until the handshake succeeds or the
// link (with its TLS state) is destroyed.
//
// Thread safety: every member runs on the link's strand, except close() (any thread) and
// close_now() (only once the I/O threads are joined).
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "frame_reader.hpp"
#include "link_context.hpp"

namespace itc::net {

class InboundLink : public std::enable_shared_from_this<InboundLink> {
 public:
  // `socket`: an accepted connection whose executor is `strand`; `slot`: its admission.
  InboundLink(LinkContext& ctx, Strand strand, boost::asio::ip::tcp::socket socket,
              HandshakeGate::Slot slot);

  void start();
  void close(std::string reason);
  void close_now();

 private:
  void on_handshake(const boost::system::error_code& ec);
  void read_more();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  // Closes the link once; `trouble` says the cause is worth a warning (not a plain close).
  void fail(std::string reason, bool trouble);
  boost::asio::ip::tcp::socket& socket() { return stream_.next_layer(); }

  LinkContext& ctx_;
  HandshakeGate::Slot slot_;  // declared before stream_: given back after the TLS state
  Strand strand_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  boost::asio::steady_timer deadline_;
  HandshakeCheck check_;
  FrameReader reader_;
  std::string remote_host_;       // "127.0.0.1"
  std::string remote_;            // "127.0.0.1:54321", for messages
  bool refused_by_peer_ = false;  // the handshake failed on the peer's verdict, not ours
  std::optional<std::uint32_t> peer_;
  bool closed_ = false;
  std::array<char, kFrameHeaderBytes> acceptance_{};  // an empty frame
  std::vector<std::string> ready_;
};

}  // namespace itc::net
