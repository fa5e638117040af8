// The validator set and quorum certificates (see itc/ledger/validators.hpp).
#include <set>

#include "common/ledger_encoding.hpp"
#include "itc/ledger/validators.hpp"

namespace itc::ledger {
namespace {

constexpr std::string_view kCommitDomain = "itc-commit-v1";

}  // namespace

std::string commit_signing_bytes(std::string_view chain_id, std::uint64_t view,
                                 std::uint64_t height, std::string_view block_hash) {
  std::string out;
  out.reserve(kCommitDomain.size() + 4 + chain_id.size() + 8 + 8 + block_hash.size());
  out.append(kCommitDomain);
  internal::put_len_prefixed(chain_id, &out);
  internal::put_be(view, 8, &out);
  internal::put_be(height, 8, &out);
  out.append(block_hash);
  return out;
}

Result<ValidatorSet> ValidatorSet::from_genesis(const v1::Genesis& genesis) {
  return from_validators(genesis.chain_id(), genesis.validators());
}

Result<ValidatorSet> ValidatorSet::from_validators(
    std::string_view chain_id,
    const google::protobuf::RepeatedPtrField<v1::Validator>& validators) {
  ValidatorSet set;
  set.chain_id_ = std::string(chain_id);
  for (int i = 0; i < validators.size(); ++i) {
    const v1::Validator& v = validators.Get(i);
    auto key = crypto::Ed25519PublicKey::from_raw(v.public_key());
    if (!key.ok()) {
      return Status::InvalidArgument("validators[" + std::to_string(i) + "].public_key (" +
                                     v.name() + "): " + key.status().message());
    }
    set.validators_.push_back(v);
    set.keys_.push_back(std::move(key).value());
  }
  if (set.validators_.empty()) {
    return Status::InvalidArgument("the validator set of " + set.chain_id_ + " is empty");
  }
  return set;
}

std::optional<std::uint32_t> ValidatorSet::index_of(std::string_view public_key) const {
  for (std::uint32_t i = 0; i < size(); ++i) {
    if (keys_[i].raw() == public_key) return i;
  }
  return std::nullopt;
}

Status ValidatorSet::verify_qc(const v1::BlockHeader& header, std::string_view block_hash,
                               const v1::QuorumCertificate& qc) const {
  const std::string who = "quorum certificate of block " + std::to_string(header.height());
  if (qc.height() != header.height()) {
    return Status::InvalidArgument(who + " is for height " + std::to_string(qc.height()));
  }
  if (qc.block_hash() != block_hash) {
    return Status::InvalidArgument(who + " is for block " + internal::short_hex(qc.block_hash()) +
                                   ", not " + internal::short_hex(block_hash));
  }
  // Every signature must verify, duplicates included: a certificate carrying a forged
  // signature is not one an honest validator assembled, so it is refused outright rather
  // than trusted for its other signatures.
  const std::string signed_bytes =
      commit_signing_bytes(chain_id_, qc.view(), qc.height(), block_hash);
  std::set<std::uint32_t> signers;
  for (int i = 0; i < qc.signatures_size(); ++i) {
    const v1::ValidatorSignature& sig = qc.signatures(i);
    if (sig.validator() >= size()) {
      return Status::InvalidArgument(who + ": signature " + std::to_string(i) +
                                     " names validator " + std::to_string(sig.validator()) +
                                     ", but the set has " + std::to_string(size()));
    }
    if (!keys_[sig.validator()].verify(signed_bytes, sig.signature())) {
      return Status::PermissionDenied(
          who + ": the signature of validator " + std::to_string(sig.validator()) + " (" +
          validators_[sig.validator()].name() + ") does not verify over view " +
          std::to_string(qc.view()) + " of chain " + chain_id_);
    }
    signers.insert(sig.validator());
  }
  if (signers.size() < quorum()) {
    return Status::PermissionDenied(who + " has " + std::to_string(signers.size()) +
                                    " distinct signers; a quorum of " + std::to_string(size()) +
                                    " validators is " + std::to_string(quorum()));
  }
  return Status::Ok();
}

}  // namespace itc::ledger
