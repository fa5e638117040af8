#include "handshake_gate.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <map>
#include <mutex>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace itc::net {
namespace {

// A burst this large (~4 MB of TLS state) is worth handing back once it has ended.
constexpr std::size_t kTrimAfterPeak = 32;

void return_freed_heap() {
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}

}  // namespace

struct HandshakeGate::State {
  State(std::size_t total, std::size_t per_address_limit, std::size_t kept,
        std::set<std::string> kept_for)
      : max_total(total),
        max_per_address(per_address_limit),
        reserved(kept),
        reserved_keys(std::move(kept_for)) {}

  const std::size_t max_total;
  const std::size_t max_per_address;
  const std::size_t reserved;
  const std::set<std::string> reserved_keys;

  mutable std::mutex mu;                           // guards the fields below
  std::map<std::string, std::size_t> per_address;  // only addresses with a pending handshake
  std::size_t peak_since_trim = 0;
  HandshakeStats stats;
};

HandshakeGate::HandshakeGate(std::size_t max_total, std::size_t max_per_address,
                             std::size_t reserved, std::set<std::string> reserved_keys)
    : state_(std::make_shared<State>(max_total, max_per_address, reserved,
                                     std::move(reserved_keys))) {}

HandshakeGate::Slot HandshakeGate::admit(const boost::asio::ip::address& from) {
  Slot slot;
  std::string key = address_key(from);
  State& s = *state_;
  std::lock_guard lock(s.mu);
  const bool reserved = s.reserved_keys.contains(key);
  const std::size_t limit = reserved ? s.max_total : s.max_total - s.reserved;
  if (s.stats.pending >= limit) {
    ++s.stats.refused_total;
    slot.refusal_ = "max_pending_handshakes (" + std::to_string(s.max_total) + ") reached";
    if (!reserved && s.reserved > 0) {
      slot.refusal_ += " (" + std::to_string(s.reserved) + " kept for the validators)";
    }
    return slot;
  }
  std::size_t& from_address = s.per_address[key];
  if (from_address >= s.max_per_address) {
    ++s.stats.refused_per_address;
    slot.refusal_ = "max_pending_handshakes_per_address (" + std::to_string(s.max_per_address) +
                    ") reached by " + key;
    return slot;
  }
  ++from_address;
  ++s.stats.pending;
  s.stats.peak_pending = std::max(s.stats.peak_pending, s.stats.pending);
  s.peak_since_trim = std::max(s.peak_since_trim, s.stats.pending);
  slot.state_ = state_;
  slot.key_ = std::move(key);
  return slot;
}

HandshakeGate::Slot& HandshakeGate::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
    key_ = std::move(other.key_);
    refusal_ = std::move(other.refusal_);
  }
  return *this;
}

void HandshakeGate::Slot::release() {
  if (!state_) return;
  std::shared_ptr<State> state = std::move(state_);
  bool trim = false;
  {
    std::lock_guard lock(state->mu);
    auto it = state->per_address.find(key_);
    if (it != state->per_address.end() && --it->second == 0) state->per_address.erase(it);
    if (--state->stats.pending == 0 && state->peak_since_trim >= kTrimAfterPeak) {
      state->peak_since_trim = 0;
      trim = true;
    }
  }
  if (trim) return_freed_heap();
}

void HandshakeGate::count_timeout() {
  std::lock_guard lock(state_->mu);
  ++state_->stats.timed_out;
}

HandshakeStats HandshakeGate::stats() const {
  std::lock_guard lock(state_->mu);
  return state_->stats;
}

std::string HandshakeGate::address_key(const boost::asio::ip::address& address) {
  if (address.is_v4()) return address.to_string();
  boost::asio::ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  }
  boost::asio::ip::address_v6::bytes_type bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);  // one holder gets a /64, not one address
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

std::set<std::string> HandshakeGate::validator_keys(const std::vector<HostPort>& addresses,
                                                    std::size_t self) {
  std::set<std::string> keys;
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    if (i == self) continue;
    boost::system::error_code ec;
    auto results = resolver.resolve(addresses[i].host, std::to_string(addresses[i].port), ec);
    if (ec) continue;
    for (const auto& entry : results) keys.insert(address_key(entry.endpoint().address()));
  }
  return keys;
}

}  // namespace itc::net
