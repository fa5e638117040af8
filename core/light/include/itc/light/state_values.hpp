// The chain's state keys and the records a light client reads from proven state values:
// an account's balance and nonce, a device's owner record. Values are the chain's
// deterministic protobuf bytes (itc.v1.Account, itc.v1.DeviceRecord), decoded here by
// hand from the wire format, so the client needs no protobuf library. Unknown fields are
// skipped (a newer chain may add some); a malformed or mistyped field is kBadValue.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "itc/light/light_client.hpp"

namespace itc::light {

inline constexpr std::size_t kMaxKey = 256;

// "a/" + 32-byte account key; "d/" + device id. Returns the key's length, 0 if it would
// not fit in `out` (kMaxKey bytes).
std::size_t account_state_key(const std::uint8_t account[kPublicKeySize],
                              std::uint8_t out[kMaxKey]);
std::size_t device_state_key(const char* device_id, std::size_t len, std::uint8_t out[kMaxKey]);

struct Account {
  std::uint64_t balance;
  std::uint64_t nonce;  // last nonce used
};

// Views into the value's bytes.
struct DeviceRecord {
  Bytes device_id;
  Bytes profile;
  Bytes device_public_key;
  Bytes owner;  // 32-byte account key
  std::uint64_t registered_height;
};

Outcome decode_account(Bytes value, Account* out);
// Also kBadValue if the owner is not 32 bytes.
Outcome decode_device(Bytes value, DeviceRecord* out);

}  // namespace itc::light
