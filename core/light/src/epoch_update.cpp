// Validator-set epochs and the trusting period (see itc/light/light_client.hpp).
#include <cstring>

#include "certified_header.hpp"
#include "common/validator_set_bytes.hpp"
#include "itc/light/light_client.hpp"

namespace itc::light {
namespace {

using internal::Header;
using internal::Kind;
using internal::QuorumCertificate;
using internal::Use;

constexpr std::uint64_t kMicrosPerSecond = 1'000'000;

}  // namespace

Outcome set_trust_period(State* state, std::uint64_t period_us, std::int64_t now_us) {
  if (!state->initialised) return {Verdict::kNotInitialised, 0};
  state->trust_period_us = period_us;
  if (!state->header.has_roots) state->trusted_time_us = now_us;
  return {};
}

Outcome check_trust(const State& state, std::int64_t now_us) {
  if (!state.initialised) return {Verdict::kNotInitialised, 0};
  if (state.trust_period_us == 0 || now_us <= state.trusted_time_us) return {};
  const std::uint64_t elapsed =
      static_cast<std::uint64_t>(now_us) - static_cast<std::uint64_t>(state.trusted_time_us);
  if (elapsed <= state.trust_period_us) return {};
  const std::uint64_t past = (elapsed - state.trust_period_us) / kMicrosPerSecond;
  return {Verdict::kTrustExpired,
          past > 0xffffffffULL ? 0xffffffffU : static_cast<std::uint32_t>(past)};
}

Outcome apply_epoch_update(State* state, const std::uint8_t* message, std::size_t size,
                           std::int64_t now_us) {
  if (Outcome o = check_trust(*state, now_us); !o.ok()) return o;
  wire::Reader in(message, size);
  Header header{};
  QuorumCertificate qc{};
  internal::read_certified(in, Kind::kEpochUpdate, size, &header, &qc);
  const std::uint64_t new_epoch = in.uint(8);
  const std::size_t count_at = in.offset();
  const std::size_t count = static_cast<std::size_t>(in.uint(1));
  if (!in.failed() && count == 0) in.fail(Verdict::kNonCanonical, count_at);
  if (!in.failed() && count > kMaxValidators) in.fail(Verdict::kTooLarge, count_at);
  const Bytes entries = in.raw(count * validator_set_bytes::kEntrySize);
  in.expect_end();
  if (in.failed()) return in.outcome();

  // A header that names no validator sets cannot hand over to another set.
  if (header.validators_hash == nullptr) return {Verdict::kNotEpochEnd, 0};
  bool newer = false;
  if (Outcome o = internal::certify(*state, header, qc, Use::kAdvance, &newer); !o.ok()) return o;
  if (std::memcmp(header.validators_hash, header.next_validators_hash, kHashSize) == 0) {
    return {Verdict::kNotEpochEnd, static_cast<std::uint32_t>(header.height)};
  }
  if (new_epoch != state->epoch + 1) {
    return {Verdict::kWrongEpoch, static_cast<std::uint32_t>(new_epoch)};
  }
  Validator validators[kMaxValidators];
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* e = entries.data + i * validator_set_bytes::kEntrySize;
    std::memcpy(validators[i].public_key, e, kPublicKeySize);
    std::uint64_t power = 0;
    for (std::size_t b = 0; b < 8; ++b) power = (power << 8) | e[kPublicKeySize + b];
    validators[i].power = power;
  }
  State next;
  if (Outcome o = init_from_genesis(&next, state->chain_id, state->chain_id_len, validators, count);
      !o.ok()) {
    return o;
  }
  std::uint8_t next_hash[kHashSize];
  if (!internal::validator_set_hash(next, next_hash)) return {Verdict::kCryptoFailure, 0};
  if (std::memcmp(next_hash, header.next_validators_hash, kHashSize) != 0) {
    return {Verdict::kNextSetMismatch, static_cast<std::uint32_t>(header.height)};
  }
  next.epoch = new_epoch;
  next.trust_period_us = state->trust_period_us;
  next.header = state->header;
  next.trusted_time_us = state->trusted_time_us;
  internal::adopt(&next, header);  // the certified header is the trusted one or newer
  *state = next;
  return {};
}

}  // namespace itc::light
