// A device's check of who may command it (see itc/light/command_check.hpp).
#include "itc/light/command_check.hpp"

#include <cstdio>
#include <cstring>

#include "itc/light/state_values.hpp"

namespace itc::light {
namespace {

CommandCheck refused(CommandCheck c, CommandVerdict v) {
  c.verdict = v;
  return c;
}

// The first 4 bytes of a key as 8 hex digits (enough to tell owners apart).
void short_hex(const std::uint8_t* key, char out[9]) {
  std::snprintf(out, 9, "%02x%02x%02x%02x", key[0], key[1], key[2], key[3]);
}

}  // namespace

CommandCheck check_command_owner(State* state, const std::uint8_t* proof, std::size_t proof_size,
                                 const char* device_id, std::size_t device_id_len,
                                 const std::uint8_t signer[kPublicKeySize], std::int64_t now_us,
                                 std::int64_t max_header_age_us) {
  CommandCheck c;
  c.max_age_us = max_header_age_us;
  if (proof == nullptr || proof_size == 0) return refused(c, CommandVerdict::kNoProof);
  std::uint8_t key[kMaxKey];
  const std::size_t key_len = device_state_key(device_id, device_id_len, key);
  if (key_len == 0) {
    c.proof = Outcome{Verdict::kTooLarge, static_cast<std::uint32_t>(device_id_len)};
    return refused(c, CommandVerdict::kProofRefused);
  }
  Bytes value{nullptr, 0};
  c.proof = verify_state(state, proof, proof_size, key, key_len, &value);
  if (c.proof.verdict == Verdict::kAbsent) {
    c.header_height = state->header.height;
    return refused(c, CommandVerdict::kNotRegistered);
  }
  if (!c.proof.ok()) return refused(c, CommandVerdict::kProofRefused);
  // verify_state succeeded: the proof's header is the trusted one (it was that or newer,
  // and a newer one is adopted).
  c.header_height = state->header.height;
  c.header_age_us = now_us - state->header.timestamp_us;
  DeviceRecord record{};
  if (Outcome o = decode_device(value, &record); !o.ok()) {
    c.proof = o;
    return refused(c, CommandVerdict::kProofRefused);
  }
  std::memcpy(c.owner, record.owner.data, kPublicKeySize);
  if (c.header_age_us > max_header_age_us) return refused(c, CommandVerdict::kHeaderTooOld);
  if (std::memcmp(c.owner, signer, kPublicKeySize) != 0) {
    return refused(c, CommandVerdict::kNotOwner);
  }
  return c;
}

const char* command_verdict_name(CommandVerdict v) {
  switch (v) {
    case CommandVerdict::kAccepted:
      return "accepted";
    case CommandVerdict::kNoProof:
      return "no_proof";
    case CommandVerdict::kProofRefused:
      return "proof_refused";
    case CommandVerdict::kNotRegistered:
      return "not_registered";
    case CommandVerdict::kNotOwner:
      return "not_owner";
    case CommandVerdict::kHeaderTooOld:
      return "header_too_old";
  }
  return "unknown";
}

std::size_t describe_command_check(const CommandCheck& c, char* out, std::size_t capacity) {
  const char* name = command_verdict_name(c.verdict);
  const auto height = static_cast<unsigned long long>(c.header_height);
  char owner[9];
  short_hex(c.owner, owner);
  int n = 0;
  switch (c.verdict) {
    case CommandVerdict::kAccepted:
      n = std::snprintf(out, capacity, "%s: owner %s… proven at block %llu", name, owner, height);
      break;
    case CommandVerdict::kNoProof:
      n = std::snprintf(out, capacity,
                        "%s: the command carries no proof of its device's owner on the chain",
                        name);
      break;
    case CommandVerdict::kProofRefused:
      n = std::snprintf(out, capacity, "%s: %s (%s; detail %u)", name,
                        verdict_name(c.proof.verdict), verdict_text(c.proof.verdict),
                        static_cast<unsigned>(c.proof.detail));
      break;
    case CommandVerdict::kNotRegistered:
      n = std::snprintf(out, capacity, "%s: the device has no owner record at block %llu", name,
                        height);
      break;
    case CommandVerdict::kNotOwner:
      n = std::snprintf(out, capacity,
                        "%s: signed by another key than the device's owner %s… at block %llu", name,
                        owner, height);
      break;
    case CommandVerdict::kHeaderTooOld:
      n = std::snprintf(out, capacity, "%s: block %llu is %lld s old, the limit is %lld s", name,
                        height, static_cast<long long>(c.header_age_us / 1'000'000),
                        static_cast<long long>(c.max_age_us / 1'000'000));
      break;
  }
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

}  // namespace itc::light
