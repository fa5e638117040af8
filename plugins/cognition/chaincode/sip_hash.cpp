#include "sip_hash.hpp"

#include <bit>
#include <string>

#include "itc/crypto.hpp"

namespace itc::analytics {
namespace {

struct State {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = std::rotl(v1, 13) ^ v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16) ^ v2;
    v0 += v3;
    v3 = std::rotl(v3, 21) ^ v0;
    v2 += v1;
    v1 = std::rotl(v1, 17) ^ v2;
    v2 = std::rotl(v2, 32);
  }
  void absorb(std::uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

std::uint64_t load_le(const unsigned char* p, std::size_t n) {
  std::uint64_t out = 0;
  for (std::size_t i = 0; i < n; ++i) out |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return out;
}

}  // namespace

std::uint64_t sip_hash(const SipKey& key, std::string_view data) {
  State s{key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL,
          key.k0 ^ 0x6c7967656e657261ULL, key.k1 ^ 0x7465646279746573ULL};
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t full = data.size() / 8 * 8;
  for (std::size_t i = 0; i < full; i += 8) s.absorb(load_le(p + i, 8));
  s.absorb(load_le(p + full, data.size() - full) | (static_cast<std::uint64_t>(data.size()) << 56));
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

SipKey sketch_key(std::string_view purpose) {
  const std::string d = crypto::sha256("itc.analytics.sketch-key.v1/" + std::string(purpose));
  const auto* p = reinterpret_cast<const unsigned char*>(d.data());
  return {load_le(p, 8), load_le(p + 8, 8)};
}

}  // namespace itc::analytics
