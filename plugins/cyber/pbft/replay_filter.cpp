#include "replay_filter.hpp"

#include <functional>

namespace itc::pbft {
namespace {

constexpr std::size_t kRemembered = 1u << 16;  // frames per peer, whatever the window

}  // namespace

ReplayFilter::ReplayFilter(std::size_t peers, std::chrono::milliseconds window, const Clock& clock)
    : window_(window), clock_(clock), seen_(peers) {}

bool ReplayFilter::first_copy(std::uint32_t peer, std::string_view frame) {
  if (peer >= seen_.size()) return true;
  // Only the peer's own frames are compared, so a collision can only hide its own.
  const std::size_t hash = std::hash<std::string_view>{}(frame);
  const auto now = clock_.steady_now();
  Seen& s = seen_[peer];
  std::lock_guard lock(s.mu);
  while (!s.order.empty() &&
         (now - s.order.front().second >= window_ || s.order.size() >= kRemembered)) {
    s.hashes.erase(s.hashes.find(s.order.front().first));
    s.order.pop_front();
  }
  if (s.hashes.count(hash)) return false;
  s.hashes.insert(hash);
  s.order.emplace_back(hash, now);
  return true;
}

}  // namespace itc::pbft
