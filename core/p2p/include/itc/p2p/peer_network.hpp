// PeerNetwork: the links between validators. Every node listens on its own address and
// dials every other validator; each link is TLS 1.3 with both sides authenticated by the
// Ed25519 identity keys of the validator set (a self-signed certificate over the node's
// key, checked against the set: no anonymous peer, no peer outside the set, and a
// dialled peer must present the key of the validator it was dialled as).
//
// Frames are opaque bytes, 4-byte big-endian length first; the receiver learns which
// validator sent each frame from the authenticated link. A node uses its outgoing link
// to a peer for sending and accepts that peer's incoming link for receiving.
//
// Each peer has a bounded send queue: when it is full, frames for that peer are dropped
// (counted, and the peer reported slow) so one slow or dead peer never stalls the rest.
// A broken link is redialled with exponential back-off (reconnect_min .. reconnect_max,
// with jitter). Frames queued while a peer is unreachable are kept up to the bound.
// Delivery is at most once: frames in flight when a link breaks may be lost (those whose
// write failed are counted in frames_dropped); the protocols above retransmit. A dialler
// sends nothing until the accepting side, having checked its key, confirms the link with
// an empty frame (in TLS 1.3 the dialler's handshake ends before its certificate is judged).
//
// Incoming handshakes are admitted before any TLS state is allocated for them (each holds
// ~90-130 KB until it ends): at most max_pending_handshakes at once, at most
// max_pending_handshakes_per_address from one IPv4 address or IPv6 /64, and the last
// slots (one per other validator) only for connections from a validator's own address, so a
// flood from elsewhere cannot lock the validators out. A connection over a cap is closed
// unread and counted; a handshake longer than handshake_timeout is closed and counted. When
// a burst of handshakes has ended, the freed heap is handed back to the system.
//
// Thread safety: send()/broadcast()/stats() may be called from any thread. The frame
// handler runs on the network's I/O threads, one frame at a time per peer, in the order
// that peer sent them (with io_threads > 1, frames of different peers may be handled at
// the same time); it must not block for long: a stuck handler stalls its peer's link.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "itc/crypto.hpp"
#include "itc/host_env.hpp"
#include "itc/status.hpp"

namespace itc::net {

struct PeerSpec {
  std::string name;
  std::string public_key;  // Ed25519 raw 32 bytes
  std::string address;     // host:port
};

struct PeerNetworkOptions {
  std::uint32_t self_index = 0;        // index into `peers`
  std::vector<PeerSpec> peers;         // the whole validator set, self included
  crypto::Ed25519PrivateKey identity;  // must match peers[self_index].public_key
  std::string listen_address;          // host:port; empty = peers[self_index].address
  std::size_t max_queue_bytes_per_peer = 64u << 20;
  std::size_t max_frame_bytes = 32u << 20;  // a longer incoming frame closes the link
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{2000};
  // Connect + TLS handshake + the peer's acceptance, per attempt and per incoming link.
  std::chrono::milliseconds handshake_timeout{5000};
  unsigned io_threads = 1;
  // Incoming TLS handshakes in progress at once, in all (must exceed the number of other
  // validators: that many slots are kept for connections from the validators' addresses).
  std::size_t max_pending_handshakes = 128;
  // ... and from one IPv4 address or IPv6 /64 (validators that share a host share it too).
  std::size_t max_pending_handshakes_per_address = 8;
};

struct PeerStats {
  std::string name;
  bool connected_out = false;  // our link to it is up
  bool connected_in = false;   // its link to us is up
  std::uint64_t frames_sent = 0;
  std::uint64_t frames_received = 0;
  std::uint64_t frames_dropped = 0;  // queue full, over max_frame_bytes, or lost with a link
  std::uint64_t bytes_queued = 0;
  std::uint64_t reconnects = 0;
  std::string last_error;  // e.g. "TLS handshake: peer key is not validator 2's"
};

// The incoming handshakes of the whole network (not per peer: they are not validators yet).
struct HandshakeStats {
  std::uint64_t pending = 0;              // in progress now, each holding its TLS state
  std::uint64_t peak_pending = 0;         // the most in progress at once since start
  std::uint64_t refused_total = 0;        // closed unread: max_pending_handshakes reached
  std::uint64_t refused_per_address = 0;  // closed unread: the address had its share
  std::uint64_t timed_out = 0;            // closed after handshake_timeout
};

class PeerNetwork {
 public:
  using FrameHandler = std::function<void(std::uint32_t peer, std::string frame)>;

  // Validates the options (identity matches, addresses parse), binds the listener and
  // starts dialling. Errors name what is wrong (e.g. "listen 127.0.0.1:7001: address in
  // use"). `log` must outlive the network.
  static Result<std::unique_ptr<PeerNetwork>> start(PeerNetworkOptions options,
                                                    FrameHandler on_frame, Logger& log);
  virtual ~PeerNetwork() = default;

  // Closes every link and joins the I/O threads; no handler runs after it returns (a
  // handler running when it is called is waited for). Idempotent; the destructor calls it.
  // Must not be called from the frame handler (it would wait for itself): it logs an error
  // and does nothing then.
  virtual void stop() = 0;

  // Queues a frame for one peer (not self). False if dropped: queue full, larger than
  // max_frame_bytes, stopped, or `peer` is self or out of range.
  virtual bool send(std::uint32_t peer, std::string frame) = 0;
  // Queues the same frame for every other peer.
  virtual void broadcast(const std::string& frame) = 0;

  virtual std::vector<PeerStats> stats() const = 0;  // indexed like options.peers
  virtual std::uint16_t listen_port() const = 0;
  virtual HandshakeStats handshake_stats() const = 0;
};

}  // namespace itc::net
