#include "rate_limiter.hpp"

#include <algorithm>

namespace itc::dag {

void RateLimiter::refill(Bucket& b, std::int64_t now_us) {
  if (now_us > b.last_us) {
    b.tokens =
        std::min(b.burst, b.tokens + static_cast<double>(now_us - b.last_us) * b.rate_per_us);
    b.last_us = now_us;
  }
}

void RateLimiter::drop_full_buckets(std::int64_t now_us) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    refill(it->second, now_us);
    it = it->second.tokens >= it->second.burst ? buckets_.erase(it) : std::next(it);
  }
}

RateLimiter::Verdict RateLimiter::take(std::string_view issuer, const v1::SecurityLevel& level,
                                       std::int64_t now_us) {
  auto it = buckets_.find(std::string(issuer));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_issuers_) {
      drop_full_buckets(now_us);
      if (buckets_.size() >= max_issuers_) return Verdict::kTableFull;
    }
    Bucket fresh;
    fresh.burst = level.burst();
    fresh.tokens = fresh.burst;
    fresh.last_us = now_us;
    it = buckets_.emplace(std::string(issuer), fresh).first;
  }
  Bucket& b = it->second;
  // The level may change (a stake added or the parameters updated): it applies from now.
  b.rate_per_us = level.rate_per_s() / 1e6;
  b.burst = level.burst();
  refill(b, now_us);
  if (b.tokens < 1) return Verdict::kRateExceeded;
  b.tokens -= 1;
  return Verdict::kAllowed;
}

}  // namespace itc::dag
