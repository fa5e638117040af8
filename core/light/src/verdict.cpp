// Names and sentences of the verdicts (see itc/light/verdict.hpp).
#include "itc/light/verdict.hpp"

namespace itc::light {
namespace {

struct VerdictInfo {
  const char* name;
  const char* text;
};

constexpr VerdictInfo kInfo[] = {
    {"ok", "verified"},
    {"truncated", "the message ends inside a field"},
    {"trailing_bytes", "the message has bytes after its last field"},
    {"bad_magic", "not a light-client message (magic is not ITCL)"},
    {"bad_version", "a format version this client does not read"},
    {"wrong_kind", "a message of another kind than the one asked for"},
    {"non_canonical", "a field of the wrong length, or unsorted or duplicate entries"},
    {"too_large", "a message or field beyond the client's limits"},
    {"bad_validator_set",
     "no validators, too many, a repeated key, a zero power or a bad chain id"},
    {"not_initialised", "the client holds no trust root: init it first"},
    {"unknown_validator", "a signature names a validator outside the trusted set"},
    {"bad_signature", "a validator's commit signature does not verify over this header"},
    {"too_few_signers", "the signers hold less than a quorum of the validators' power"},
    {"stale_header", "the header is older than the trusted header"},
    {"conflicting_header",
     "another certified header at the trusted height (a fork or another chain)"},
    {"no_roots", "no certified header with roots yet (sync first)"},
    {"index_out_of_range", "the leaf index is not below the block's leaf count"},
    {"not_included", "the audit path does not lead to the block's root"},
    {"state_root_mismatch", "the bucket and its path do not lead to the header's state root"},
    {"key_mismatch", "the proof is for another key than the one asked for"},
    {"bad_value", "the state value does not decode as the record asked for"},
    {"absent", "the key is proven to have no value"},
    {"crypto_failure", "the crypto backend failed"},
    {"wrong_epoch",
     "the header is of another validator epoch than the client's (apply the epoch updates first)"},
    {"validator_set_mismatch", "the header commits to another validator set than the client's"},
    {"not_epoch_end", "the update's header does not end its epoch (the next set is the same)"},
    {"next_set_mismatch",
     "the new validator set does not hash to the header's next_validators_hash"},
    {"trust_expired",
     "the trusted header is older than the trust period: init again from a new checkpoint"},
};

}  // namespace

const char* verdict_name(Verdict v) {
  const auto i = static_cast<std::size_t>(v);
  return i < sizeof kInfo / sizeof kInfo[0] ? kInfo[i].name : "unknown";
}

const char* verdict_text(Verdict v) {
  const auto i = static_cast<std::size_t>(v);
  return i < sizeof kInfo / sizeof kInfo[0] ? kInfo[i].text : "unknown verdict";
}

}  // namespace itc::light
