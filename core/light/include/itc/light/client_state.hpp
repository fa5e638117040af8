// The whole of a light client's memory: the validator set it trusts and the one
// quorum-certified header it holds (constant size: no header chain). A plain struct with
// no pointers, so a device can keep it in a static buffer; state_file.hpp turns it into
// bytes and back.
// Thread safety: none; one State belongs to one caller at a time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace itc::light {

#ifndef ITC_LIGHT_MAX_VALIDATORS
#define ITC_LIGHT_MAX_VALIDATORS 16
#endif
inline constexpr std::size_t kMaxValidators = ITC_LIGHT_MAX_VALIDATORS;
inline constexpr std::size_t kMaxChainId = 64;
inline constexpr std::size_t kHashSize = 32;
inline constexpr std::size_t kPublicKeySize = 32;
inline constexpr std::size_t kSignatureSize = 64;

struct Validator {
  std::uint8_t public_key[kPublicKeySize];
  std::uint64_t power;  // 1 for every genesis validator today
};

// The header the client trusts. After a checkpoint only height and hash are known
// (has_roots false) until a certified header with that hash, or a newer one, arrives.
struct TrustedHeader {
  std::uint64_t height;
  std::uint64_t view;
  std::int64_t timestamp_us;
  std::uint8_t hash[kHashSize];
  std::uint8_t merkle_root[kHashSize];  // over the block's readings
  std::uint8_t tx_root[kHashSize];
  std::uint8_t state_root[kHashSize];
  std::uint32_t reading_count;
  std::uint32_t tx_count;
  bool has_roots;
};

struct State {
  bool initialised;
  std::uint8_t chain_id_len;
  char chain_id[kMaxChainId];
  std::uint64_t epoch;  // the validator set's epoch: 0 (genesis), then one per change
  std::uint32_t validator_count;
  std::uint64_t total_power;
  Validator validators[kMaxValidators];
  TrustedHeader header;
  // The trusting period (CometBFT's): trust lasts trust_period_us after trusted_time_us,
  // the trusted header's timestamp (or when trust was set up, before any header). 0: no
  // limit. Past it the client refuses to go on and needs a new checkpoint.
  std::uint64_t trust_period_us;
  std::int64_t trusted_time_us;
};

// Signing power needed for a quorum: 2f+1 with f = (total-1)/3, as the PBFT replicas
// count it (3 of 4 validators).
inline std::uint64_t quorum_power(std::uint64_t total_power) {
  return total_power == 0 ? 1 : 2 * ((total_power - 1) / 3) + 1;
}

}  // namespace itc::light
