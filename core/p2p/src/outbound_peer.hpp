// OutboundPeer: this node's sending side towards one validator — the bounded send queue,
// the dialled link (one OutboundConnection per attempt) and the redial back-off.
//
// Frames wait in the queue while the peer is unreachable; a frame that would take the
// queue over max_queue_bytes_per_peer is dropped and counted, with a warning at most once
// a second, so a slow or dead peer costs bounded memory and never blocks the caller.
//
// Thread safety: send() and fill_stats() may be called from any thread; the rest runs on
// the peer's strand, except close_now(), which stop() calls once the I/O threads are joined.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "link_context.hpp"

namespace itc::net {

class OutboundConnection;
using SharedFrame = std::shared_ptr<const std::string>;

class OutboundPeer : public std::enable_shared_from_this<OutboundPeer> {
 public:
  OutboundPeer(LinkContext& ctx, std::uint32_t index);

  void start();  // the first dial
  // False if the frame was dropped (queue full, too large, or stopped).
  bool send(SharedFrame frame);
  void fill_stats(PeerStats& out) const;
  void close_now();

  // --- for OutboundConnection, on the strand ---
  Strand& strand() { return strand_; }
  // Moves the next batch of queued frames (at least one, if any) into `out`; returns the
  // bytes they take on the wire. They stay counted in bytes_queued until written or lost.
  std::size_t take_batch(std::vector<SharedFrame>& out);
  void on_written(std::size_t frames, std::size_t wire_bytes);
  void on_lost(std::size_t frames, std::size_t wire_bytes);
  void on_accepted(const OutboundConnection* link, const std::string& session);
  void on_down(const OutboundConnection* link, const std::string& reason, bool was_up);

 private:
  void dial();
  void redial_later();
  void wake_writer();
  std::chrono::milliseconds next_backoff();

  LinkContext& ctx_;
  const std::uint32_t index_;
  Strand strand_;
  boost::asio::steady_timer redial_timer_;

  // Strand only.
  std::shared_ptr<OutboundConnection> current_;
  unsigned failures_ = 0;  // dial attempts since the last accepted link
  bool ever_up_ = false;
  std::string last_logged_failure_;
  std::minstd_rand jitter_;

  mutable std::mutex mu_;  // guards the fields below
  std::deque<SharedFrame> queue_;
  std::uint64_t bytes_queued_ = 0;  // wire bytes queued or being written
  bool connected_ = false;          // a link is accepted and writable
  bool wake_pending_ = false;       // a wake_writer() is posted
  std::uint64_t frames_sent_ = 0;
  std::uint64_t frames_dropped_ = 0;
  std::uint64_t reconnects_ = 0;
  std::uint64_t drops_unreported_ = 0;
  std::chrono::steady_clock::time_point last_drop_warning_{};
};

}  // namespace itc::net
