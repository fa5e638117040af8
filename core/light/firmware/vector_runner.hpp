// Runs one test vector (vector_set.hpp) through the verifier core as a lamp would: a
// header update through apply_header; a command through its signer's Ed25519 signature
// over the signed bytes, then check_command_owner on the ownership proof. The firmware
// and the host (tests/light/light_firmware_qemu_test) run this same code on the same
// bytes, each on its own crypto port, and compare the lines format_result writes.
// Thread safety: none per State.
#pragma once

#include <cstddef>

#include "itc/light/command_check.hpp"
#include "vector_set.hpp"

namespace itc::light::vectors {

enum class CommandStep : std::uint8_t {
  kNotRun = 0,        // a header update, or the state did not load
  kSignatureRefused,  // the signer's signature over the signed bytes does not verify
  kOwnerChecked,      // check_command_owner ran: `command` holds its verdict
};

struct VectorResult {
  Outcome outcome;  // header update: apply_header's; command: the proof's (CommandCheck::proof)
  CommandStep step = CommandStep::kNotRun;
  CommandVerdict command = CommandVerdict::kAccepted;
};

// Decodes the vector's trusted State; on failure the verdict says why.
Outcome load_state(const Vector& v, State* state);
// Checks the vector's message against `state` (loaded by load_state; updated as the
// library does: a newer certified header is adopted).
VectorResult run_vector(const Vector& v, State* state);
// One line, e.g. "header ok 0", "command accepted ok 0", "command proof_refused
// bad_signature 2", "command signature_refused - 0". NUL-terminated, cut to `capacity`;
// returns the length needed (as snprintf).
std::size_t format_result(const Vector& v, const VectorResult& r, char* out, std::size_t capacity);

}  // namespace itc::light::vectors
