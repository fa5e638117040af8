#include "admission.hpp"

#include "itc/crypto.hpp"
#include "parameters.hpp"

namespace itc::dag {

std::string_view refusal_name(Refusal r) {
  switch (r) {
    case Refusal::kMalformed:
      return "malformed";
    case Refusal::kDuplicate:
      return "duplicate";
    case Refusal::kIssueTime:
      return "issue_time";
    case Refusal::kUnknownIssuer:
      return "unknown_issuer";
    case Refusal::kForeignReading:
      return "foreign_reading";
    case Refusal::kPow:
      return "pow";
    case Refusal::kSignature:
      return "signature";
    case Refusal::kRate:
      return "rate";
    case Refusal::kBelowMaxDepth:
      return "below_max_depth";
    case Refusal::kSolidificationFull:
      return "solidification_full";
  }
  return "unknown";
}

Admission::Admission(const v1::DagParameters& params, const IssuerDirectory& directory)
    : params_(params), directory_(directory), rates_(params.max_rate_issuers()) {}

Refused Admission::refuse(Refusal reason, std::string message) {
  ++counts_[static_cast<std::size_t>(reason)];
  return {reason, std::move(message)};
}

std::optional<Refused> Admission::check_issuer(const DecodedTransaction& d,
                                               const v1::SecurityLevel** level) {
  const auto& tx = d.tx;
  const auto info = directory_.find(tx.issuer_public_key());
  if (!info)
    return refuse(Refusal::kUnknownIssuer,
                  "issuer " + crypto::to_hex(tx.issuer_public_key()) + " is not registered");
  *level = security_level(params_, info->device_class, info->stake);
  if (*level == nullptr)
    return refuse(Refusal::kUnknownIssuer,
                  "issuer's device class \"" + info->device_class + "\" has no security level");
  if (tx.has_readings()) {
    for (const auto& r : tx.readings().readings()) {
      const auto signer = directory_.signer_of(r.device_id());
      if (!signer || *signer != tx.issuer_public_key())
        return refuse(Refusal::kForeignReading,
                      "reading of device \"" + r.device_id() + "\", which " +
                          (signer ? "signs through another key" : "is not registered"));
    }
  }
  return std::nullopt;
}

std::optional<Refused> Admission::check(const DecodedTransaction& d, std::int64_t now_us,
                                        Arrival arrival) {
  const auto& tx = d.tx;
  const std::int64_t t = tx.issued_at_us();
  const bool is_new = arrival == Arrival::kNew;
  if (is_new && (t < now_us - params_.issue_window_past_us() ||
                 t > now_us + params_.issue_window_future_us()))
    return refuse(Refusal::kIssueTime, "issued at " + std::to_string(t) + " µs, local time " +
                                           std::to_string(now_us) + " µs: outside the window");
  const v1::SecurityLevel* level = nullptr;
  if (auto refused = check_issuer(d, &level)) return refused;
  const int bits = leading_zero_bits(pow_hash(d.body_digest, tx.nonce()));
  if (bits < static_cast<int>(level->pow_bits()))
    return refuse(Refusal::kPow, "proof of work has " + std::to_string(bits) +
                                     " leading zero bits, the issuer's level needs " +
                                     std::to_string(level->pow_bits()));
  if (!crypto::ed25519_verify(tx.issuer_public_key(), signed_bytes(tx), tx.signature()))
    return refuse(Refusal::kSignature, "signature does not verify under the issuer's key");
  if (!is_new) return std::nullopt;
  switch (rates_.take(tx.issuer_public_key(), *level, now_us)) {
    case RateLimiter::Verdict::kAllowed:
      return std::nullopt;
    case RateLimiter::Verdict::kRateExceeded:
      return refuse(Refusal::kRate, "issuer exceeds its rate of " +
                                        std::to_string(level->rate_per_s()) + "/s (burst " +
                                        std::to_string(level->burst()) + ")");
    case RateLimiter::Verdict::kTableFull:
      break;
  }
  return refuse(Refusal::kRate, "rate table full: too many issuers active at once");
}

}  // namespace itc::dag
