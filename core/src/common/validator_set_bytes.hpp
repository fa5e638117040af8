// The canonical bytes of a validator set, which block headers commit to (validators_hash,
// next_validators_hash; schemas/light-proof-format.md, "Validator sets"):
//   "itc-validators-v1" || count (4 bytes) || per validator, in set order (the QC's
//   indexes): public key (32 bytes) || power (8 bytes), integers big endian.
// The set's hash is SHA-256 over these bytes. One definition for the node
// (itc::ledger::validator_set_hash) and libitc-light (which hashes its State's set), so
// it is header-only, protobuf-free and allocation-free: the bytes go to a caller's sink,
// a callable taking (const std::uint8_t*, std::size_t). Internal; not installed.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace itc::validator_set_bytes {

inline constexpr char kDomain[] = "itc-validators-v1";
inline constexpr std::size_t kDomainSize = sizeof kDomain - 1;
inline constexpr std::size_t kKeySize = 32;
inline constexpr std::size_t kEntrySize = kKeySize + 8;

// The domain and the count: what comes before the first entry.
template <typename Sink>
void put_prefix(std::uint32_t count, Sink&& sink) {
  sink(reinterpret_cast<const std::uint8_t*>(kDomain), kDomainSize);
  std::uint8_t be[4];
  for (int i = 0; i < 4; ++i) be[i] = static_cast<std::uint8_t>(count >> (8 * (3 - i)));
  sink(be, sizeof be);
}

// One validator's entry: its 32-byte key and its power.
template <typename Sink>
void put_entry(const std::uint8_t* public_key, std::uint64_t power, Sink&& sink) {
  std::uint8_t entry[kEntrySize];
  for (std::size_t i = 0; i < kKeySize; ++i) entry[i] = public_key[i];
  for (int i = 0; i < 8; ++i)
    entry[kKeySize + i] = static_cast<std::uint8_t>(power >> (8 * (7 - i)));
  sink(entry, sizeof entry);
}

}  // namespace itc::validator_set_bytes
