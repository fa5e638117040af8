// What a light client's check decided, and why: every call of the library returns an
// Outcome, whose verdict names the first thing that failed (kOk when nothing did) and
// whose detail says where (a validator index, a byte offset, a count; see each verdict).
// Thread safety: pure data; verdict_name/verdict_text return static strings.
#pragma once

#include <cstdint>

namespace itc::light {

enum class Verdict : std::uint8_t {
  kOk = 0,
  // The bytes (detail: offset of the field that failed).
  kTruncated,      // the message ends inside a field
  kTrailingBytes,  // bytes after the last field
  kBadMagic,       // not "ITCL"
  kBadVersion,     // a format version this client does not read
  kWrongKind,      // e.g. a state proof where a header update was expected
  kNonCanonical,   // a field of the wrong length, unsorted or duplicate entries, a bad count
  kTooLarge,       // a message or field beyond the client's fixed limits
  // Trust set-up.
  kBadValidatorSet,  // no validators, more than kMaxValidators, a zero power or a bad chain id
  kNotInitialised,   // the state holds no trust root
  // The header and its quorum certificate (detail: validator index or signer count).
  kUnknownValidator,   // a signature names an index outside the validator set
  kBadSignature,       // a validator's commit signature does not verify
  kTooFewSigners,      // the signers' power is below the quorum (detail: signers)
  kStaleHeader,        // older than the trusted header
  kConflictingHeader,  // same height as the trusted header (or checkpoint), another hash
  kNoRoots,            // a checkpoint-only state: no certified header with roots yet
  // The proof against the header.
  kIndexOutOfRange,    // leaf index not below the header's leaf count
  kNotIncluded,        // the audit path does not lead to the header's root
  kStateRootMismatch,  // the bucket and its path do not lead to the header's state_root
  kKeyMismatch,        // a proof for another key than the one asked for
  kBadValue,           // the state value does not decode as the record asked for
  kAbsent,             // the key is proven absent (not an error of the proof)
  kCryptoFailure,      // the crypto port failed (out of memory in libcrypto)
  // Validator-set epochs and the trusting period.
  kWrongEpoch,  // the header is of another epoch than the client's set (detail: its epoch)
  kValidatorSetMismatch,  // the header's validators_hash is not the client's set
  kNotEpochEnd,           // an epoch update whose header does not end its epoch
  kNextSetMismatch,       // the update's new set does not hash to next_validators_hash
  kTrustExpired,          // the trusted header is older than the trust period (detail: s past)
};

struct Outcome {
  Verdict verdict = Verdict::kOk;
  std::uint32_t detail = 0;
  bool ok() const { return verdict == Verdict::kOk; }
};

// "truncated", "bad_signature", ... (stable identifiers for logs and tests).
const char* verdict_name(Verdict v);
// One sentence saying what the verdict means.
const char* verdict_text(Verdict v);

}  // namespace itc::light
