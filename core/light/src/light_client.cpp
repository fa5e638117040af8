// Trust set-up, header updates and inclusion proofs (see itc/light/light_client.hpp).
// State proofs are in state_proof.cpp.
#include "itc/light/light_client.hpp"

#include <cstring>

#include "certified_header.hpp"
#include "crypto_port.hpp"
#include "merkle_path.hpp"

namespace itc::light {
namespace {

using internal::Header;
using internal::Kind;
using internal::QuorumCertificate;
using internal::Use;

constexpr std::size_t kMaxLeaf = 16 * 1024;
constexpr std::size_t kMaxPath = 32;  // a tree of at most 2^32 leaves

Outcome load_validators(State* out, const char* chain_id, std::size_t chain_id_len,
                        const Validator* validators, std::size_t count) {
  if (chain_id_len == 0 || chain_id_len > kMaxChainId) return {Verdict::kBadValidatorSet, 0};
  if (count == 0 || count > kMaxValidators) {
    return {Verdict::kBadValidatorSet, static_cast<std::uint32_t>(count)};
  }
  std::memset(out, 0, sizeof *out);
  out->chain_id_len = static_cast<std::uint8_t>(chain_id_len);
  std::memcpy(out->chain_id, chain_id, chain_id_len);
  for (std::size_t i = 0; i < count; ++i) {
    if (validators[i].power == 0 || validators[i].power > (1ULL << 32)) {
      return {Verdict::kBadValidatorSet, static_cast<std::uint32_t>(i)};
    }
    for (std::size_t j = 0; j < i; ++j) {  // one key signing twice would count twice
      if (std::memcmp(validators[j].public_key, validators[i].public_key, kPublicKeySize) == 0) {
        return {Verdict::kBadValidatorSet, static_cast<std::uint32_t>(i)};
      }
    }
    out->validators[i] = validators[i];
    out->total_power += validators[i].power;
  }
  out->validator_count = static_cast<std::uint32_t>(count);
  out->initialised = true;
  return {};
}

// An inclusion proof: certified header, leaf, index, audit path to `root_of(header)`.
Outcome verify_inclusion_message(State* state, const std::uint8_t* message, std::size_t size,
                                 Kind kind, Inclusion* out) {
  wire::Reader in(message, size);
  Header header{};
  QuorumCertificate qc{};
  internal::read_certified(in, kind, size, &header, &qc);
  const bool dag = kind == Kind::kDagTx;
  const Bytes leaf = dag ? in.prefixed_exact(kHashSize) : in.prefixed(kMaxLeaf);
  const std::uint32_t index = static_cast<std::uint32_t>(in.uint(4));
  const std::uint32_t dag_leaves = dag ? static_cast<std::uint32_t>(in.uint(4)) : 0;
  const std::size_t count_at = in.offset();
  const std::size_t count = static_cast<std::size_t>(in.uint(1));
  if (!in.failed() && count > kMaxPath) in.fail(Verdict::kTooLarge, count_at);
  const Bytes path = in.raw(32 * count);
  in.expect_end();
  if (in.failed()) return in.outcome();

  bool newer = false;
  if (Outcome o = internal::certify(*state, header, qc, Use::kInclusion, &newer); !o.ok()) return o;
  const bool tx = kind == Kind::kTx;
  const std::uint32_t leaves = dag ? dag_leaves : tx ? header.tx_count : header.reading_count;
  if (index >= leaves) return {Verdict::kIndexOutOfRange, index};
  const std::uint8_t* root = dag ? header.dag_root : tx ? header.tx_root : header.merkle_root;
  if (root == nullptr) return {Verdict::kNotIncluded, index};  // no milestone in that block
  std::uint8_t leaf_hash[kHashSize];
  if (!internal::leaf_hash(leaf.data, leaf.size, leaf_hash)) return {Verdict::kCryptoFailure, 0};
  if (!internal::verify_inclusion(leaf_hash, index, leaves, path.data, count, root)) {
    return {Verdict::kNotIncluded, index};
  }
  if (dag) {
    std::memcpy(out->leaf_id, leaf.data, kHashSize);  // the leaf is the transaction's id
  } else {
    port::Sha256 id;
    id.update(leaf.data, leaf.size);
    if (!id.finish(out->leaf_id)) return {Verdict::kCryptoFailure, 0};
  }
  out->height = header.height;
  out->index = index;
  out->leaf = leaf;
  if (newer) internal::adopt(state, header);
  return {};
}

}  // namespace

Outcome init_from_genesis(State* state, const char* chain_id, std::size_t chain_id_len,
                          const Validator* validators, std::size_t count) {
  State fresh;
  if (Outcome o = load_validators(&fresh, chain_id, chain_id_len, validators, count); !o.ok()) {
    return o;
  }
  *state = fresh;
  return {};
}

Outcome init_from_checkpoint(State* state, const char* chain_id, std::size_t chain_id_len,
                             const Validator* validators, std::size_t count, std::uint64_t height,
                             const std::uint8_t hash[kHashSize]) {
  if (height == 0) return {Verdict::kNonCanonical, 0};
  State fresh;
  if (Outcome o = load_validators(&fresh, chain_id, chain_id_len, validators, count); !o.ok()) {
    return o;
  }
  fresh.header.height = height;
  std::memcpy(fresh.header.hash, hash, kHashSize);
  fresh.header.has_roots = false;
  *state = fresh;
  return {};
}

Outcome apply_header(State* state, const std::uint8_t* message, std::size_t size) {
  wire::Reader in(message, size);
  Header header{};
  QuorumCertificate qc{};
  internal::read_certified(in, Kind::kHeader, size, &header, &qc);
  in.expect_end();
  if (in.failed()) return in.outcome();
  bool newer = false;
  if (Outcome o = internal::certify(*state, header, qc, Use::kAdvance, &newer); !o.ok()) return o;
  if (newer) internal::adopt(state, header);
  return {};
}

Outcome verify_tx(State* state, const std::uint8_t* message, std::size_t size, Inclusion* out) {
  return verify_inclusion_message(state, message, size, Kind::kTx, out);
}

Outcome verify_reading(State* state, const std::uint8_t* message, std::size_t size,
                       Inclusion* out) {
  return verify_inclusion_message(state, message, size, Kind::kReading, out);
}

Outcome verify_dag_tx(State* state, const std::uint8_t* message, std::size_t size, Inclusion* out) {
  return verify_inclusion_message(state, message, size, Kind::kDagTx, out);
}

}  // namespace itc::light
