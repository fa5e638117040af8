// The validator set from genesis, quorum arithmetic and quorum certificates: what a light
// client needs to trust a block header alone.
// Thread safety: a ValidatorSet is immutable after construction; share it freely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itc/crypto.hpp"
#include "itc/export.hpp"
#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::ledger {

// Reads a genesis file (protobuf JSON, bytes in base64) and checks it: a chain id, at
// least one validator, 32-byte keys, unique names, keys and addresses, allocation
// accounts of 32 bytes. Errors name the file and the field.
ITC_EXPORT Result<v1::Genesis> load_genesis(const std::string& path);
ITC_EXPORT Result<v1::Genesis> parse_genesis(std::string_view json, std::string_view source_name);
ITC_EXPORT std::string genesis_to_json(const v1::Genesis& genesis);
// SHA-256 of the genesis' deterministic bytes: two nodes with different genesis files
// must not talk.
ITC_EXPORT std::string genesis_hash(const v1::Genesis& genesis);

// "itc-commit-v1" || len(chain_id) || chain_id || view || height || block_hash (fixed
// width, big endian). What a validator signs in a PBFT commit, and what a QC holds.
ITC_EXPORT std::string commit_signing_bytes(std::string_view chain_id, std::uint64_t view,
                                            std::uint64_t height, std::string_view block_hash);

// SHA-256 over the canonical bytes of a validator set (core/src/common/validator_set_bytes.hpp:
// each validator's key and power, in order; every power is 1 on this chain). What a block
// header's validators_hash and next_validators_hash hold, and what a light client compares.
ITC_EXPORT std::string validator_set_hash(
    const google::protobuf::RepeatedPtrField<v1::Validator>& validators);

// "itc-reconfigure-v1" || len(chain_id) || chain_id || epoch || count || per validator
// len(name) name len(key) key len(address) address (integers big endian, lengths 4 bytes,
// epoch 8). What each current validator signs to approve a Reconfigure to `epoch`.
ITC_EXPORT std::string reconfigure_signing_bytes(
    std::string_view chain_id, std::uint64_t epoch,
    const google::protobuf::RepeatedPtrField<v1::Validator>& validators);

class ITC_EXPORT ValidatorSet {
 public:
  // InvalidArgument if a key does not parse.
  static Result<ValidatorSet> from_genesis(const v1::Genesis& genesis);
  // The set of an epoch (a ValidatorEpoch's validators) on chain `chain_id`.
  static Result<ValidatorSet> from_validators(
      std::string_view chain_id,
      const google::protobuf::RepeatedPtrField<v1::Validator>& validators);
  ValidatorSet() = default;

  std::uint32_t size() const { return static_cast<std::uint32_t>(validators_.size()); }
  std::uint32_t max_faulty() const { return (size() - 1) / 3; }  // f
  std::uint32_t quorum() const { return 2 * max_faulty() + 1; }  // 2f+1
  const std::string& chain_id() const { return chain_id_; }
  const v1::Validator& validator(std::uint32_t index) const { return validators_[index]; }
  const crypto::Ed25519PublicKey& key(std::uint32_t index) const { return keys_[index]; }
  std::optional<std::uint32_t> index_of(std::string_view public_key) const;
  std::uint32_t primary_of(std::uint64_t view) const {
    return static_cast<std::uint32_t>(view % size());
  }

  // Ok iff `qc` is for (header.height, block_hash), and holds valid commit signatures of
  // at least quorum() distinct validators. PermissionDenied/InvalidArgument name what is
  // wrong (which validator's signature fails, too few signers, wrong height or hash).
  Status verify_qc(const v1::BlockHeader& header, std::string_view block_hash,
                   const v1::QuorumCertificate& qc) const;

 private:
  std::string chain_id_;
  std::vector<v1::Validator> validators_;
  std::vector<crypto::Ed25519PublicKey> keys_;
};

}  // namespace itc::ledger
