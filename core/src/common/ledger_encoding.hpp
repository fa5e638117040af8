// Byte-level helpers of the ledger library: fixed-width big-endian integers and
// length-prefixed fields for canonical byte strings (signing bytes, state buckets), and
// short hex for messages. Internal: shared by libitc-sdk (transactions, certificates)
// and libitc-chain (state buckets); not installed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "itc/crypto.hpp"

namespace itc::ledger::internal {

inline void put_be(std::uint64_t v, int width, std::string* out) {
  for (int i = width - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A 4-byte big-endian length, then the bytes.
inline void put_len_prefixed(std::string_view bytes, std::string* out) {
  put_be(bytes.size(), 4, out);
  out->append(bytes);
}

// The first 8 bytes of a key or hash in hex ("ab12cd34ef567890..."), for messages.
inline std::string short_hex(std::string_view raw) {
  std::string hex = crypto::to_hex(raw.substr(0, 8));
  return raw.size() > 8 ? hex + "..." : hex;
}

}  // namespace itc::ledger::internal
