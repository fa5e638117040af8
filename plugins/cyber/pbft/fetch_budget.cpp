#include "fetch_budget.hpp"

#include <algorithm>

namespace itc::pbft {
namespace {

constexpr std::size_t kRecentKept = 64;  // distinct requests remembered per peer

}  // namespace

FetchBudget::FetchBudget(std::size_t peers, FetchLimits limits, const Clock& clock)
    : limits_(limits), clock_(clock), buckets_(peers) {
  const auto now = clock_.steady_now();
  for (auto& b : buckets_) {
    b.blocks = limits_.blocks_per_second;
    b.bytes = limits_.bytes_per_second;
    b.refilled = now;
  }
}

void FetchBudget::refill(Bucket& b, std::chrono::nanoseconds now) const {
  const double seconds = std::chrono::duration<double>(now - b.refilled).count();
  if (seconds <= 0) return;
  b.blocks = std::min(limits_.blocks_per_second, b.blocks + seconds * limits_.blocks_per_second);
  b.bytes = std::min(limits_.bytes_per_second, b.bytes + seconds * limits_.bytes_per_second);
  b.refilled = now;
}

FetchBudget::Verdict FetchBudget::admit(std::uint32_t peer, std::uint64_t from, std::uint64_t to) {
  if (peer >= buckets_.size()) return Verdict::kOverBudget;
  const auto now = clock_.steady_now();
  std::lock_guard lock(mu_);
  Bucket& b = buckets_[peer];
  while (!b.recent.empty() &&
         (now - b.recent.front().at >= limits_.duplicate_window || b.recent.size() > kRecentKept)) {
    b.recent.pop_front();
  }
  for (const auto& s : b.recent) {
    if (s.from == from && s.to == to) return Verdict::kDuplicate;
  }
  refill(b, now);
  if (b.blocks < 1 || b.bytes <= 0) return Verdict::kOverBudget;
  b.recent.push_back({from, to, now});
  return Verdict::kServe;
}

bool FetchBudget::charge(std::uint32_t peer, std::size_t bytes) {
  if (peer >= buckets_.size()) return false;
  std::lock_guard lock(mu_);
  Bucket& b = buckets_[peer];
  refill(b, clock_.steady_now());
  b.blocks -= 1;
  b.bytes -= static_cast<double>(bytes);
  return b.blocks >= 1 && b.bytes > 0;
}

}  // namespace itc::pbft
