// One vector through the verifier core (see vector_runner.hpp).
#include "vector_runner.hpp"

#include <cstdio>

#include "crypto_port.hpp"
#include "itc/light/state_file.hpp"

namespace itc::light::vectors {

Outcome load_state(const Vector& v, State* state) {
  return decode_state(v.state.data, v.state.size, state);
}

VectorResult run_vector(const Vector& v, State* state) {
  VectorResult r;
  if (v.kind == VectorKind::kHeaderUpdate) {
    r.outcome = apply_header(state, v.message.data, v.message.size);
    return r;
  }
  if (!port::ed25519_verify(v.signer, v.signed_bytes.data, v.signed_bytes.size, v.signature)) {
    r.step = CommandStep::kSignatureRefused;
    return r;
  }
  const CommandCheck check = check_command_owner(
      state, v.message.data, v.message.size, reinterpret_cast<const char*>(v.device_id.data),
      v.device_id.size, v.signer, v.now_us, v.max_header_age_us);
  r.step = CommandStep::kOwnerChecked;
  r.command = check.verdict;
  r.outcome = check.proof;
  return r;
}

std::size_t format_result(const Vector& v, const VectorResult& r, char* out, std::size_t capacity) {
  int n = 0;
  const char* proof = verdict_name(r.outcome.verdict);
  const auto detail = static_cast<unsigned long>(r.outcome.detail);
  if (v.kind == VectorKind::kHeaderUpdate) {
    n = std::snprintf(out, capacity, "header %s %lu", proof, detail);
  } else if (r.step == CommandStep::kSignatureRefused) {
    n = std::snprintf(out, capacity, "command signature_refused - 0");
  } else {
    n = std::snprintf(out, capacity, "command %s %s %lu", command_verdict_name(r.command), proof,
                      detail);
  }
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

}  // namespace itc::light::vectors
