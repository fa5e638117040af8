#include "outbound_peer.hpp"

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

#include "frame_reader.hpp"
#include "outbound_connection.hpp"

namespace itc::net {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

// Frames gathered into one write: enough to fill many TLS records, small enough that a
// batch in flight on a breaking link loses little.
constexpr std::size_t kBatchBytes = 256u << 10;
constexpr auto kDropWarningInterval = std::chrono::seconds(1);

}  // namespace

OutboundPeer::OutboundPeer(LinkContext& ctx, std::uint32_t index)
    : ctx_(ctx),
      index_(index),
      strand_(asio::make_strand(ctx.io)),
      redial_timer_(strand_),
      jitter_(std::random_device{}() ^ index) {}

void OutboundPeer::start() {
  asio::post(strand_, [self = shared_from_this()] { self->dial(); });
}

bool OutboundPeer::send(SharedFrame frame) {
  if (ctx_.stopped.load(std::memory_order_acquire)) return false;
  const std::size_t wire = kFrameHeaderBytes + frame->size();
  const std::size_t frame_size = frame->size();
  std::string warning;
  bool wake = false;
  bool queued = false;
  {
    std::lock_guard lock(mu_);
    std::string why;
    if (frame_size > ctx_.options.max_frame_bytes) {
      why = "a frame of " + std::to_string(frame_size) + " bytes exceeds max_frame_bytes " +
            std::to_string(ctx_.options.max_frame_bytes);
    } else if (bytes_queued_ + wire > ctx_.options.max_queue_bytes_per_peer) {
      why = "send queue full (" + std::to_string(bytes_queued_) + " of " +
            std::to_string(ctx_.options.max_queue_bytes_per_peer) + " bytes used)";
    } else {
      queue_.push_back(std::move(frame));
      bytes_queued_ += wire;
      queued = true;
      if (connected_ && !wake_pending_) wake_pending_ = wake = true;
    }
    if (!queued) {
      ++frames_dropped_;
      ++drops_unreported_;
      auto now = std::chrono::steady_clock::now();
      if (last_drop_warning_ == std::chrono::steady_clock::time_point{} ||
          now - last_drop_warning_ >= kDropWarningInterval) {
        warning = "frames for " + ctx_.label(index_) + " dropped: " + why + "; " +
                  std::to_string(drops_unreported_) + " since the last warning, " +
                  std::to_string(frames_dropped_) + " in all";
        drops_unreported_ = 0;
        last_drop_warning_ = now;
      }
    }
  }
  if (!warning.empty()) ctx_.log.warn(warning);
  if (wake) asio::post(strand_, [self = shared_from_this()] { self->wake_writer(); });
  return queued;
}

void OutboundPeer::fill_stats(PeerStats& out) const {
  std::lock_guard lock(mu_);
  out.connected_out = connected_;
  out.frames_sent = frames_sent_;
  out.frames_dropped = frames_dropped_;
  out.bytes_queued = bytes_queued_;
  out.reconnects = reconnects_;
}

void OutboundPeer::close_now() {
  redial_timer_.cancel();
  if (current_) {
    current_->close_now();
    current_.reset();
  }
  std::lock_guard lock(mu_);
  connected_ = false;
}

std::size_t OutboundPeer::take_batch(std::vector<SharedFrame>& out) {
  std::lock_guard lock(mu_);
  std::size_t bytes = 0;
  while (!queue_.empty()) {
    std::size_t wire = kFrameHeaderBytes + queue_.front()->size();
    if (!out.empty() && bytes + wire > kBatchBytes) break;
    bytes += wire;
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return bytes;
}

void OutboundPeer::on_written(std::size_t frames, std::size_t wire_bytes) {
  std::lock_guard lock(mu_);
  frames_sent_ += frames;
  bytes_queued_ -= wire_bytes;
}

void OutboundPeer::on_lost(std::size_t frames, std::size_t wire_bytes) {
  std::lock_guard lock(mu_);
  frames_dropped_ += frames;
  bytes_queued_ -= wire_bytes;
}

void OutboundPeer::on_accepted(const OutboundConnection* link, const std::string& session) {
  if (link != current_.get()) return;
  failures_ = 0;
  {
    std::lock_guard lock(mu_);
    connected_ = true;
    if (ever_up_) ++reconnects_;
  }
  ever_up_ = true;
  last_logged_failure_.clear();
  ctx_.log.info("link to " + ctx_.label(index_) + " up: " + session);
  current_->pump();
}

void OutboundPeer::on_down(const OutboundConnection* link, const std::string& reason, bool was_up) {
  if (link != current_.get()) return;
  current_.reset();
  {
    std::lock_guard lock(mu_);
    connected_ = false;
  }
  if (ctx_.stopped.load()) return;
  ctx_.set_last_error(index_, reason);
  std::string where = "link to " + ctx_.label(index_);
  if (was_up) {
    ctx_.log.warn(where + " lost: " + reason + "; redialling");
  } else if (reason != last_logged_failure_) {
    ctx_.log.warn(where + " failed: " + reason + "; retrying every " +
                  std::to_string(ctx_.options.reconnect_min.count()) + ".." +
                  std::to_string(ctx_.options.reconnect_max.count()) + " ms");
  } else {
    ctx_.log.debug(where + " failed again: " + reason);
  }
  last_logged_failure_ = reason;
  redial_later();
}

void OutboundPeer::dial() {
  if (ctx_.stopped.load()) return;
  current_ = std::make_shared<OutboundConnection>(shared_from_this(), ctx_, index_);
  current_->begin();
}

void OutboundPeer::redial_later() {
  redial_timer_.expires_after(next_backoff());
  ++failures_;
  redial_timer_.async_wait(
      asio::bind_executor(strand_, [self = shared_from_this()](const boost::system::error_code& e) {
        if (!e) self->dial();
      }));
}

void OutboundPeer::wake_writer() {
  {
    std::lock_guard lock(mu_);
    wake_pending_ = false;
  }
  if (current_) current_->pump();
}

// Exponential back-off with "equal jitter": the ceiling doubles per failed attempt from
// reconnect_min up to reconnect_max, and the delay is drawn from its upper half so that
// validators restarted together do not redial in lockstep.
milliseconds OutboundPeer::next_backoff() {
  const milliseconds min = ctx_.options.reconnect_min;
  const milliseconds max = ctx_.options.reconnect_max;
  milliseconds ceiling = min;
  for (unsigned i = 0; i < failures_ && ceiling < max; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, max);
  milliseconds floor = std::max(min, ceiling / 2);
  std::uniform_int_distribution<long long> pick(floor.count(), ceiling.count());
  return milliseconds(pick(jitter_));
}

}  // namespace itc::net
