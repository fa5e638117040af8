// SipHash-2-4 (Aumasson & Bernstein, 2012): the 64-bit key hash of every sketch. A PRF
// under its 128-bit key; the sketches use fixed public keys (sketch_key) so that sketches
// computed on different nodes merge — a party who wants to can therefore pick keys that
// collide, which only skews a sketch it feeds itself.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace itc::analytics {

struct SipKey {
  std::uint64_t k0 = 0;  // key bytes 0..7, little-endian
  std::uint64_t k1 = 0;  // key bytes 8..15, little-endian
};

std::uint64_t sip_hash(const SipKey& key, std::string_view data);

// The first 16 bytes of SHA-256("itc.analytics.sketch-key.v1/" || purpose).
SipKey sketch_key(std::string_view purpose);

// Double hashing (Kirsch & Mitzenmacher 2006) for the Bloom filter and count-min rows:
// h1 = sip_hash(k1, key), h2 = sip_hash(k2, key) | 1, and position i of a table of
// `size` slots is (h1 + i·h2 mod 2^64) · size / 2^64 (a multiply, no division).
struct DoubleHash {
  std::uint64_t h1 = 0;
  std::uint64_t h2 = 0;
  DoubleHash(const SipKey& k1, const SipKey& k2, std::string_view key)
      : h1(sip_hash(k1, key)), h2(sip_hash(k2, key) | 1) {}
  std::uint64_t at(std::uint32_t i, std::uint64_t size) const {
    __extension__ using Wide = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<Wide>(h1 + i * h2) * size) >> 64);
  }
};

}  // namespace itc::analytics
