// ReplayFilter: drops a frame that is, byte for byte, a copy of one the same peer sent
// within the last `window`, before anything is parsed or verified. Each link is the
// peer's own (TLS-authenticated) and every PBFT message means nothing more the second
// time, so an honest peer loses nothing (it re-sends only after a second); a Byzantine
// one replaying a signed message thousands of times costs a hash and a lookup per copy
// instead of a signature check (or, for a pre-prepare, one per transaction).
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "itc/host_env.hpp"

namespace itc::pbft {

class ReplayFilter {
 public:
  ReplayFilter(std::size_t peers, std::chrono::milliseconds window, const Clock& clock);

  // False when `peer` sent these exact bytes within the window (the copy is dropped).
  bool first_copy(std::uint32_t peer, std::string_view frame);

 private:
  struct Seen {
    std::mutex mu;
    std::deque<std::pair<std::size_t, std::chrono::nanoseconds>> order;  // oldest first
    std::unordered_multiset<std::size_t> hashes;
  };

  const std::chrono::nanoseconds window_;
  const Clock& clock_;
  std::vector<Seen> seen_;
};

}  // namespace itc::pbft
