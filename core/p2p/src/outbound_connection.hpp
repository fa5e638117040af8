// OutboundConnection: one attempt at this node's link to a validator: resolve, connect,
// TLS handshake (the peer must prove the key of the validator dialled), then wait for the
// peer's "link accepted" empty frame — in TLS 1.3 the dialler finishes its handshake before
// the peer has judged its certificate, so only that frame says the peer took us — and then
// write queued frames in batches. The peer never sends on this link after accepting it; a
// read that completes means the link is gone.
//
// Thread safety: runs on its OutboundPeer's strand, except close_now() (only once the I/O
// threads are joined).
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <vector>

#include "frame_reader.hpp"
#include "outbound_peer.hpp"

namespace itc::net {

class OutboundConnection : public std::enable_shared_from_this<OutboundConnection> {
 public:
  OutboundConnection(std::shared_ptr<OutboundPeer> peer, LinkContext& ctx, std::uint32_t index);

  void begin();
  // Writes the next batch of queued frames unless a write is in flight or the link is not
  // accepted yet.
  void pump();
  void close_now();

 private:
  void connect(const std::vector<boost::asio::ip::tcp::endpoint>& endpoints);
  void on_handshake(const boost::system::error_code& ec);
  void on_acceptance(const boost::system::error_code& ec);
  void watch_for_close();
  void on_written(const boost::system::error_code& ec);
  void fail(std::string reason);

  std::shared_ptr<OutboundPeer> peer_;
  LinkContext& ctx_;
  const std::uint32_t index_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer deadline_;  // connect + handshake + acceptance
  HandshakeCheck check_;
  bool closed_ = false;
  bool accepted_ = false;
  bool writing_ = false;
  std::array<char, 64> inbox_{};

  // The batch being written: the frames (kept alive until the write completes), the
  // headers and small frames packed together, and the buffers handed to the stream.
  std::vector<SharedFrame> batch_;
  std::size_t batch_bytes_ = 0;
  std::string packed_;
  std::vector<boost::asio::const_buffer> buffers_;
};

}  // namespace itc::net
