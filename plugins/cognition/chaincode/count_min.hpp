// A count-min sketch (Cormode & Muthukrishnan 2005) with heavy hitters: d rows of w
// counters; a key adds its count to one counter per row, at column g_i = h1 + i·h2 (the
// Bloom filter's double hashing, SipHash-2-4 under sketch_key("cms-1"), ("cms-2")), and
// its estimate is the smallest of its d counters. Never under-counts; over-counts by at
// most ε·total with probability 1 − δ for w = ceil(e/ε), d = ceil(ln(1/δ)).
// Heavy hitters: the top_k keys by estimate seen so far, kept beside the counters
// (a key is a candidate when its estimate after an add beats the smallest candidate).
// Sketches with the same w, d and top_k merge by adding counters; the union of the
// candidates is re-estimated on the merged counters and the top_k kept.
// Thread safety: a sketch is a value; const methods may run concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/analytics.pb.h"

namespace itc::analytics {

struct HeavyHitter {
  std::string key;
  std::uint64_t estimate = 0;
  bool operator==(const HeavyHitter&) const = default;
};

class CountMinSketch {
 public:
  static constexpr std::uint32_t kMaxWidth = 1u << 24;
  static constexpr std::uint32_t kMaxDepth = 32;
  static constexpr std::uint32_t kMaxTopK = 1024;
  static constexpr std::size_t kMaxKeyBytes = 256;

  // InvalidArgument naming width, depth or top_k out of 1..kMaxWidth, 1..kMaxDepth,
  // 0..kMaxTopK.
  static Result<CountMinSketch> create(std::uint32_t width, std::uint32_t depth,
                                       std::uint32_t top_k);
  // w = ceil(e/epsilon), d = ceil(ln(1/delta)); epsilon and delta in (0, 1).
  static Result<CountMinSketch> for_error(double epsilon, double delta, std::uint32_t top_k);
  // Strict: InvalidArgument naming the field for sizes out of range, a counter count
  // other than w·d, a row whose counters do not add up to `total`, more than top_k heavy
  // hitters, a repeated or over-long key, or a heavy hitter above its own estimate.
  static Result<CountMinSketch> from_proto(const v1::CountMinSketch& sketch);
  static Result<CountMinSketch> decode(std::string_view bytes);

  // InvalidArgument (and nothing changes) for a key over kMaxKeyBytes or a total that
  // would overflow 64 bits.
  Status add(std::string_view key, std::uint64_t count = 1);
  std::uint64_t estimate(std::string_view key) const;
  // The candidates with their current estimates, largest first (ties by key).
  std::vector<HeavyHitter> heavy_hitters() const;
  // InvalidArgument unless w, d and top_k are equal, or if the total would overflow;
  // `this` is unchanged then.
  Status merge(const CountMinSketch& other);

  std::uint32_t width() const { return width_; }
  std::uint32_t depth() const { return depth_; }
  std::uint64_t total() const { return total_; }
  v1::CountMinSketch to_proto() const;

 private:
  CountMinSketch(std::uint32_t width, std::uint32_t depth, std::uint32_t top_k);
  void offer(const std::string& key, std::uint64_t estimate);
  std::uint32_t width_, depth_, top_k_;
  std::uint64_t total_ = 0;
  std::vector<std::uint64_t> counters_;  // row-major
  std::unordered_map<std::string, std::uint64_t> candidates_;
  std::uint64_t smallest_candidate_ = 0;  // valid when candidates_ holds top_k_ keys
};

}  // namespace itc::analytics
