// A Bloom filter (Bloom 1970) of m bits probed at k positions g_i = h1 + i·h2 (double
// hashing, Kirsch & Mitzenmacher 2006), h1 and h2 SipHash-2-4 under sketch_key("bloom-1")
// and ("bloom-2"), each reduced to [0, m) by a 64×64→128-bit multiply. No false negatives;
// false positives at about (1 − e^{−k·n/m})^k, 0.82% at 10 bits per key with k = 7.
// Filters with the same m and k merge by OR (the filter of the union).
// Thread safety: a filter is a value; const methods may run concurrently.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/analytics.pb.h"

namespace itc::analytics {

class BloomFilter {
 public:
  static constexpr std::uint64_t kMaxBits = std::uint64_t{1} << 32;
  static constexpr std::uint32_t kMaxHashes = 30;

  // InvalidArgument "bits: ..." / "hashes: ..." outside 1..kMaxBits, 1..kMaxHashes.
  static Result<BloomFilter> create(std::uint64_t bits, std::uint32_t hashes);
  // m = ceil(n · bits_per_key), k = round(m/n · ln 2) (at least 1, at most kMaxHashes).
  static Result<BloomFilter> for_keys(std::uint64_t expected_keys, double bits_per_key);
  // Strict: InvalidArgument naming the field for m or k out of range, a bitmap of other
  // than ceil(m/8) bytes, or a padding bit set past m.
  static Result<BloomFilter> from_proto(const v1::BloomFilterSketch& sketch);
  static Result<BloomFilter> decode(std::string_view bytes);

  void add(std::string_view key);
  // False: `key` was never added. True: it was, or a false positive.
  bool might_contain(std::string_view key) const;
  // (1 − e^{−k·n/m})^k for the n keys added so far.
  double expected_false_positive_rate() const;
  // InvalidArgument unless m and k are equal; `this` is unchanged then.
  Status merge(const BloomFilter& other);

  std::uint64_t bits() const { return bits_; }
  std::uint32_t hashes() const { return hashes_; }
  std::uint64_t inserted() const { return inserted_; }
  v1::BloomFilterSketch to_proto() const;
  bool operator==(const BloomFilter&) const = default;

 private:
  BloomFilter(std::uint64_t bits, std::uint32_t hashes);
  std::uint64_t bits_;
  std::uint32_t hashes_;
  std::uint64_t inserted_ = 0;
  std::vector<std::uint8_t> bitmap_;
};

}  // namespace itc::analytics
