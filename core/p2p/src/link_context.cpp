#include "link_context.hpp"

#include "inbound_link.hpp"

namespace itc::net {
namespace {

constexpr auto kRepeatWarningInterval = std::chrono::seconds(10);
constexpr std::size_t kRememberedWarnings = 4096;
constexpr std::size_t kWarningsPerInterval = 20;  // over all keys

}  // namespace

LinkContext::LinkContext(PeerNetworkOptions opts, ValidatorKeys keys,
                         std::vector<HostPort> addresses, PeerNetwork::FrameHandler on_frame,
                         Logger& logger, boost::asio::io_context& io_context,
                         boost::asio::ssl::context& tls_context)
    : options(std::move(opts)),
      validators(std::move(keys)),
      log(logger),
      io(io_context),
      tls(tls_context),
      handshakes(options.max_pending_handshakes, options.max_pending_handshakes_per_address,
                 options.peers.size() - 1,
                 HandshakeGate::validator_keys(addresses, options.self_index)),
      on_frame_(std::move(on_frame)) {
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    auto record = std::make_unique<PeerRecord>();
    record->name = options.peers[i].name;
    record->address = std::move(addresses[i]);
    peers.push_back(std::move(record));
  }
}

void LinkContext::deliver(std::uint32_t peer, std::vector<std::string>& frames) {
  PeerRecord& record = *peers[peer];
  std::lock_guard lock(record.delivery);
  for (std::string& frame : frames) {
    if (stopped.load(std::memory_order_acquire)) return;
    record.frames_received.fetch_add(1, std::memory_order_relaxed);
    try {
      on_frame_(peer, std::move(frame));
    } catch (const std::exception& e) {
      log.error("frame handler failed on a frame from " + record.name + ": " + e.what());
    } catch (...) {
      log.error("frame handler failed on a frame from " + record.name + ": unknown exception");
    }
  }
}

std::shared_ptr<InboundLink> LinkContext::adopt_inbound(std::uint32_t peer,
                                                        std::shared_ptr<InboundLink> link) {
  PeerRecord& record = *peers[peer];
  std::lock_guard lock(record.mu);
  std::swap(record.inbound, link);
  return link;
}

void LinkContext::release_inbound(std::uint32_t peer, const InboundLink* link) {
  PeerRecord& record = *peers[peer];
  std::lock_guard lock(record.mu);
  if (record.inbound.get() == link) record.inbound.reset();
}

void LinkContext::set_last_error(std::uint32_t peer, std::string error) {
  PeerRecord& record = *peers[peer];
  std::lock_guard lock(record.mu);
  record.last_error = std::move(error);
}

bool LinkContext::warning_due(const std::string& key) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(warnings_mu_);
  if (now - window_start_ >= kRepeatWarningInterval) {
    window_start_ = now;
    warnings_in_window_ = 0;
  }
  if (warnings_in_window_ >= kWarningsPerInterval) return false;
  if (last_warning_.size() >= kRememberedWarnings) last_warning_.clear();
  auto [it, fresh] = last_warning_.try_emplace(key, now);
  if (!fresh && now - it->second < kRepeatWarningInterval) return false;
  it->second = now;
  ++warnings_in_window_;
  return true;
}

std::string LinkContext::label(std::uint32_t peer) const {
  return peers[peer]->name + " (" + peers[peer]->address.text + ")";
}

}  // namespace itc::net
