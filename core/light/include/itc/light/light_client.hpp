// libitc-light: a light client that trusts the validator set and one quorum-certified
// header, and checks what any node serves against them, honest or not. Messages are in
// the compact binary format of schemas/light-proof-format.md (magic "ITCL", version 1).
//
// Contract for a small device: no exceptions, no allocation by this library (views
// returned point into the caller's message buffer, valid while it lives), fixed-size
// State; SHA-256 and Ed25519 come from the crypto port (src/crypto_port.cpp, OpenSSL's
// libcrypto here). Every function returns an Outcome whose verdict names what failed;
// on failure the State is unchanged.
// Thread safety: none; calls on one State must not overlap. Different States are
// independent.
#pragma once

#include <cstddef>
#include <cstdint>

#include "itc/light/client_state.hpp"
#include "itc/light/verdict.hpp"

namespace itc::light {

struct Bytes {
  const std::uint8_t* data;
  std::size_t size;
};

// Trust from genesis: the chain id and its validators (keys and powers), no header yet.
Outcome init_from_genesis(State* state, const char* chain_id, std::size_t chain_id_len,
                          const Validator* validators, std::size_t count);
// Trust from genesis plus a checkpoint: the header at `height` must hash to `hash`; a
// different certified header at that height is refused as kConflictingHeader.
Outcome init_from_checkpoint(State* state, const char* chain_id, std::size_t chain_id_len,
                             const Validator* validators, std::size_t count, std::uint64_t height,
                             const std::uint8_t hash[kHashSize]);

// A header update (kind 1): the header's quorum certificate is checked against the
// validator set; a newer header is adopted, the trusted one again is kOk, an older one
// kStaleHeader, another header at the trusted height kConflictingHeader.
Outcome apply_header(State* state, const std::uint8_t* message, std::size_t size);

// What an inclusion proof showed: the certified block's height and the included leaf
// (its bytes and, for a transaction, its id = SHA-256 of the bytes).
struct Inclusion {
  std::uint64_t height;
  std::uint32_t index;
  Bytes leaf;
  std::uint8_t leaf_id[kHashSize];
};

// A transaction's (kind 2) or reading's (kind 3) inclusion in a certified block. The
// proof carries that block's header and quorum certificate: a block at or below the
// trusted height is checked by its certificate (inclusion is permanent); a newer one is
// adopted as the trusted header first.
Outcome verify_tx(State* state, const std::uint8_t* message, std::size_t size, Inclusion* out);
Outcome verify_reading(State* state, const std::uint8_t* message, std::size_t size, Inclusion* out);
// A device transaction final on the DAG side chain (kind 5): its 32-byte id (the leaf,
// also leaf_id) at `index` of the milestone inclusion tree whose root the certified block's
// header carries (dag_root). The tree's size is in the proof (the header does not hold
// it; a wrong one cannot lead to the root). A header without a milestone: kNotIncluded.
Outcome verify_dag_tx(State* state, const std::uint8_t* message, std::size_t size, Inclusion* out);

// A state proof (kind 4) for `key` against the newest state: its header must be the
// trusted one or newer (then adopted); older is kStaleHeader. On kOk *value is the key's
// value; kAbsent proves the key has no value. Keys are the chain's ("a/" + account key,
// "d/" + device id; state_keys.hpp builds them).
Outcome verify_state(State* state, const std::uint8_t* message, std::size_t size,
                     const std::uint8_t* key, std::size_t key_len, Bytes* value);

// ---- Validator-set epochs and the trusting period (schemas/light-proof-format.md) ----
// Times are microseconds since the Unix epoch, passed in by the caller: the library has
// no clock.

// Sets the trusting period (0: no limit). A state with no certified header yet starts
// its trust at `now_us`; otherwise the trusted header's timestamp counts.
Outcome set_trust_period(State* state, std::uint64_t period_us, std::int64_t now_us);
// kTrustExpired (detail: seconds past the period) once `now_us` is more than the trust
// period after the trusted header's time: the client must be initialised again from a
// new checkpoint. Callers check it before relying on any verdict (itc-light does, before
// every command); apply_epoch_update checks it itself.
Outcome check_trust(const State& state, std::int64_t now_us);
// An epoch update (kind 6): the last header of the client's epoch, certified by the
// client's set, and the next epoch's set, which must hash to the header's
// next_validators_hash. On kOk the State holds the new set and epoch and trusts that
// header. A client behind by several epochs applies their updates in order; one for
// another epoch is kWrongEpoch, a header that does not end its epoch kNotEpochEnd, a set
// the header does not name kNextSetMismatch, a minority or forged QC as apply_header.
Outcome apply_epoch_update(State* state, const std::uint8_t* message, std::size_t size,
                           std::int64_t now_us);

}  // namespace itc::light
