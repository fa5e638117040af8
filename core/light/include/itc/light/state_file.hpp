// A State as bytes, for keeping it in one small file or flash page: magic "ITCS", version
// 1, then every field big-endian (layout in schemas/light-proof-format.md). Decoding is
// as strict as the proof format (kTruncated, kTrailingBytes, kNonCanonical, ...).
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "itc/light/light_client.hpp"

namespace itc::light {

// Enough for any State (kMaxValidators validators).
inline constexpr std::size_t kMaxStateBytes = 4 + 1 + 1 + kMaxChainId + 8 + 1 +
                                              kMaxValidators * (kPublicKeySize + 8) + 8 + 8 + 8 +
                                              4 * kHashSize + 4 + 4 + 1 + 8 + 8;

// Writes the state; returns the byte count (0 if `capacity` is too small or the state is
// not initialised).
std::size_t encode_state(const State& state, std::uint8_t* out, std::size_t capacity);
Outcome decode_state(const std::uint8_t* bytes, std::size_t size, State* out);

}  // namespace itc::light
