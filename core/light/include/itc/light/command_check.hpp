// A device's own check of an owner-signed command: the command carries a state proof of
// the device's owner record ("d/" + device id, kind 4) and the device accepts only if the
// proof verifies against its own light State, the proof's header is recent enough, and
// the proven owner is the command's signer. Whoever attached the proof (the sender, a
// node) is not trusted: a forged, foreign or stale proof is refused with the reason.
// The signer's signature over the command is checked by the caller (it covers protobuf
// bytes this library does not read); this file checks ownership.
//
// Same contract as light_client.hpp: no exceptions, no allocation, a State passed in.
// A newer certified header in the proof is adopted (monotone), even when the command is
// then refused for its owner or age; on a proof failure the State is unchanged.
// Thread safety: none per State; describe_command_check is a pure function.
#pragma once

#include <cstddef>
#include <cstdint>

#include "itc/light/light_client.hpp"

namespace itc::light {

enum class CommandVerdict : std::uint8_t {
  kAccepted = 0,   // the signer is the device's owner in a fresh certified state
  kNoProof,        // the command carries no ownership proof
  kProofRefused,   // the light client refused the proof (CommandCheck::proof says why)
  kNotRegistered,  // the proof shows the device has no owner record on the chain
  kNotOwner,       // the proven owner is another key than the signer's
  kHeaderTooOld,   // the proof's certified header is older than the allowed age
};

struct CommandCheck {
  CommandVerdict verdict = CommandVerdict::kAccepted;
  Outcome proof;                            // the light client's verdict on the proof
  std::uint64_t header_height = 0;          // the proof's header (when it verified)
  std::int64_t header_age_us = 0;           // now - the header's timestamp
  std::int64_t max_age_us = 0;              // the limit the check was run with
  std::uint8_t owner[kPublicKeySize] = {};  // the proven owner (kAccepted, kNotOwner)
  bool ok() const { return verdict == CommandVerdict::kAccepted; }
};

// Checks that `signer` (32 bytes) owns `device_id` according to `proof` (a kind 4 state
// proof for "d/" + device_id), whose certified header is at most `max_header_age_us`
// older than `now_us` (both in microseconds since the Unix epoch) and not older than
// the State's trusted header (kProofRefused with kStaleHeader).
CommandCheck check_command_owner(State* state, const std::uint8_t* proof, std::size_t proof_size,
                                 const char* device_id, std::size_t device_id_len,
                                 const std::uint8_t signer[kPublicKeySize], std::int64_t now_us,
                                 std::int64_t max_header_age_us);

// "accepted", "no_proof", "proof_refused", "not_registered", "not_owner", "header_too_old".
const char* command_verdict_name(CommandVerdict v);

// Writes one line saying what the check decided and why, e.g. "proof_refused:
// state_root_mismatch (the bucket and its path do not lead to the header's state root)"
// or "header_too_old: block 41 is 75 s old, the limit is 60 s". NUL-terminated, cut to
// `capacity`; returns the length it needed (as snprintf).
std::size_t describe_command_check(const CommandCheck& check, char* out, std::size_t capacity);

}  // namespace itc::light
