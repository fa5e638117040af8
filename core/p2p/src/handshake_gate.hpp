// HandshakeGate: which accepted connections may begin a TLS handshake. Each handshake in
// progress holds ~90-130 KB of TLS state, so a connection is admitted (given a Slot) before any
// of it is allocated, or refused and closed unread:
//  - at most `max_total` handshakes at once; the last `reserved` of them only for
//    connections from the validators' own addresses (a flood from elsewhere cannot lock the
//    validators out);
//  - at most `max_per_address` from one IPv4 address or IPv6 /64.
// The Slot is given back when the handshake succeeds or its TLS state is destroyed. When the
// last slot of a burst comes back, the freed heap is returned to the system (glibc keeps it
// in its arenas otherwise, and a validator's RSS would stay at the flood's peak).
//
// Thread safety: every member may be called from any thread; a Slot may outlive its gate.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/host_port.hpp"
#include "itc/p2p/peer_network.hpp"

namespace itc::net {

class HandshakeGate {
  struct State;

 public:
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept = default;
    Slot& operator=(Slot&& other) noexcept;
    ~Slot() { release(); }

    bool admitted() const { return state_ != nullptr; }
    // Why it was not admitted, e.g. "max_pending_handshakes (128) reached".
    const std::string& refusal() const { return refusal_; }
    // Gives the slot back (the handshake ended). Idempotent.
    void release();

   private:
    friend class HandshakeGate;
    std::shared_ptr<State> state_;
    std::string key_;
    std::string refusal_;
  };

  // `reserved_keys`: address_key() of each validator's address other than this node's.
  HandshakeGate(std::size_t max_total, std::size_t max_per_address, std::size_t reserved,
                std::set<std::string> reserved_keys);

  Slot admit(const boost::asio::ip::address& from);
  void count_timeout();
  HandshakeStats stats() const;

  // "10.0.0.5" for IPv4 (also when IPv4-mapped in IPv6), "2001:db8:1:2::/64" for IPv6.
  static std::string address_key(const boost::asio::ip::address& address);
  // address_key() of every address the validators other than `self` are listed at (DNS
  // names resolved now; a name that does not resolve is left out).
  static std::set<std::string> validator_keys(const std::vector<HostPort>& addresses,
                                              std::size_t self);

 private:
  std::shared_ptr<State> state_;
};

}  // namespace itc::net
