// Per-issuer token buckets: an issuer of level L may issue L.burst transactions at once
// and L.rate_per_s sustained; one issuer's flood empties only its own bucket.
// Memory: at most `max_issuers` buckets (about 100 bytes each). When a new issuer comes
// and the table is full, buckets that have refilled completely (which hold no state a new
// bucket would not) are dropped, O(buckets); if none has, the newcomer is refused.
// Thread safety: not synchronised; the caller serialises.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "itc/v1/dag.pb.h"

namespace itc::dag {

class RateLimiter {
 public:
  enum class Verdict { kAllowed, kRateExceeded, kTableFull };

  explicit RateLimiter(std::size_t max_issuers) : max_issuers_(max_issuers) {}

  // Takes one token from `issuer`'s bucket at `now_us` if it has one.
  Verdict take(std::string_view issuer, const v1::SecurityLevel& level, std::int64_t now_us);
  std::size_t issuers() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    double rate_per_us = 0;
    double burst = 0;
    std::int64_t last_us = 0;
  };
  static void refill(Bucket& b, std::int64_t now_us);
  void drop_full_buckets(std::int64_t now_us);

  std::size_t max_issuers_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace itc::dag
