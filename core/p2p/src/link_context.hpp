// LinkContext: what every link of one PeerNetwork shares — the options, the validator set,
// the TLS context, the logger, the stop flag and one PeerRecord per validator (delivery to
// the frame handler, receive counters, the current incoming link) and the gate incoming
// handshakes pass.
//
// Thread safety: everything but the PeerRecords' guarded fields and `stopped` is set before
// the first link starts and read-only afterwards. deliver() serialises per peer.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/host_port.hpp"
#include "handshake_gate.hpp"
#include "itc/p2p/peer_network.hpp"
#include "tls_identity.hpp"

namespace itc::net {

class InboundLink;
using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

struct PeerRecord {
  std::string name;
  HostPort address;
  std::atomic<std::uint64_t> frames_received{0};
  std::mutex delivery;  // held while the handler runs for this peer: one frame at a time

  mutable std::mutex mu;  // guards the fields below
  std::string last_error;
  std::shared_ptr<InboundLink> inbound;  // the link this peer sends to us on
};

class LinkContext {
 public:
  LinkContext(PeerNetworkOptions options, ValidatorKeys validators, std::vector<HostPort> addresses,
              PeerNetwork::FrameHandler on_frame, Logger& log, boost::asio::io_context& io,
              boost::asio::ssl::context& tls);

  const PeerNetworkOptions options;
  const ValidatorKeys validators;
  std::vector<std::unique_ptr<PeerRecord>> peers;  // indexed like options.peers
  Logger& log;
  boost::asio::io_context& io;
  boost::asio::ssl::context& tls;
  std::atomic<bool> stopped{false};  // set first thing in stop(): no handler call after it
  HandshakeGate handshakes;

  // Hands `frames` from `peer` to the frame handler, in order, under the peer's delivery
  // lock. A handler that throws is logged; the link goes on.
  void deliver(std::uint32_t peer, std::vector<std::string>& frames);

  // Makes `link` the peer's incoming link; returns the one it replaces (to be closed).
  std::shared_ptr<InboundLink> adopt_inbound(std::uint32_t peer, std::shared_ptr<InboundLink> link);
  // Forgets `link` if it is still the peer's incoming link.
  void release_inbound(std::uint32_t peer, const InboundLink* link);

  void set_last_error(std::uint32_t peer, std::string error);
  // True for the first warning with this `key` (e.g. the remote host and the reason) in a
  // while, and for at most a few keys in that while; repeats go to the debug level, so
  // neither a misconfigured host redialling every 200 ms nor a flood from many addresses
  // floods the log.
  bool warning_due(const std::string& key);
  // "B (127.0.0.1:7002)"
  std::string label(std::uint32_t peer) const;

 private:
  PeerNetwork::FrameHandler on_frame_;
  std::mutex warnings_mu_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> last_warning_;
  std::chrono::steady_clock::time_point window_start_;
  std::size_t warnings_in_window_ = 0;
};

}  // namespace itc::net
