// Encodes the light-client format from chain objects (see itc/light/prover.hpp).
#include "itc/light/prover.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include "common/block_header_bytes.hpp"
#include "itc/crypto.hpp"
#include "itc/ledger/block_commitments.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/merkle.hpp"

namespace itc::light::prover {
namespace {

constexpr std::string_view kMagic = "ITCL";
constexpr char kVersion = 1;
enum Kind : char { kHeader = 1, kTx = 2, kReading = 3, kState = 4, kDagTx = 5, kEpochUpdate = 6 };

using ledger::internal::put_be;
using ledger::internal::put_len_prefixed;

std::string envelope(Kind kind) {
  std::string out(kMagic);
  out.push_back(kVersion);
  out.push_back(kind);
  return out;
}

// Header and certificate; signatures in ascending validator order, one per validator.
Status put_certified_header(const v1::BlockHeader& header, const v1::QuorumCertificate& qc,
                            std::string* out) {
  const std::string fields = header_fields(header);
  const std::string hash = block_hash(header);
  if (qc.height() != header.height() || qc.block_hash() != hash) {
    return Status::InvalidArgument("quorum certificate of height " + std::to_string(qc.height()) +
                                   " is not for block " + std::to_string(header.height()));
  }
  std::map<std::uint32_t, const std::string*> signatures;
  for (const v1::ValidatorSignature& sig : qc.signatures()) {
    if (sig.signature().size() != crypto::kEd25519SignatureSize || sig.validator() > 0xffff) {
      return Status::InvalidArgument(
          "quorum certificate of block " + std::to_string(header.height()) +
          " holds a malformed signature of validator " + std::to_string(sig.validator()));
    }
    signatures.try_emplace(sig.validator(), &sig.signature());
  }
  if (signatures.empty() || signatures.size() > 255) {
    return Status::InvalidArgument("quorum certificate of block " +
                                   std::to_string(header.height()) + " has " +
                                   std::to_string(signatures.size()) + " signatures");
  }
  put_len_prefixed(fields, out);
  put_be(qc.view(), 8, out);
  put_be(signatures.size(), 1, out);
  for (const auto& [validator, signature] : signatures) {
    put_be(validator, 2, out);
    out->append(*signature);
  }
  return Status::Ok();
}

Result<std::string> inclusion(const v1::Block& block, Kind kind, std::vector<std::string> leaves,
                              int index) {
  if (index < 0 || static_cast<std::size_t>(index) >= leaves.size()) {
    return Status::NotFound("block " + std::to_string(block.header().height()) + " has " +
                            std::to_string(leaves.size()) +
                            (kind == kTx ? " transactions" : " readings") + ", no index " +
                            std::to_string(index));
  }
  std::vector<std::string> hashes;
  hashes.reserve(leaves.size());
  for (const std::string& leaf : leaves) hashes.push_back(merkle::leaf_hash(leaf));
  const std::vector<std::string> path =
      merkle::inclusion_proof(hashes, static_cast<std::uint64_t>(index));
  std::string out = envelope(kind);
  ITC_RETURN_IF_ERROR(put_certified_header(block.header(), block.qc(), &out));
  put_len_prefixed(leaves[static_cast<std::size_t>(index)], &out);
  put_be(static_cast<std::uint64_t>(index), 4, &out);
  put_be(path.size(), 1, &out);
  for (const std::string& h : path) out.append(h);
  return out;
}

}  // namespace

std::string header_fields(const v1::BlockHeader& h) {
  std::string buf;
  ledger::internal::put_block_header_fields(h, &buf);
  return buf;
}

Result<std::string> header_update(const v1::BlockHeader& header, const v1::QuorumCertificate& qc) {
  std::string out = envelope(kHeader);
  ITC_RETURN_IF_ERROR(put_certified_header(header, qc, &out));
  return out;
}

Result<std::string> tx_proof(const v1::Block& block, int index) {
  std::vector<std::string> leaves;
  leaves.reserve(block.transactions_size());
  for (const v1::Transaction& tx : block.transactions()) leaves.push_back(tx_leaf_bytes(tx));
  return inclusion(block, kTx, std::move(leaves), index);
}

Result<std::string> reading_proof(const v1::Block& block, int index) {
  std::vector<std::string> leaves;
  leaves.reserve(block.readings_size());
  for (const v1::Reading& r : block.readings()) leaves.push_back(reading_leaf_bytes(r));
  return inclusion(block, kReading, std::move(leaves), index);
}

Result<std::string> dag_tx_proof(const v1::Block& block, std::string_view tx_id,
                                 std::uint64_t leaf_index, std::uint64_t tree_size,
                                 const std::vector<std::string>& path) {
  if (block.header().milestone_size() == 0)
    return Status::InvalidArgument("block " + std::to_string(block.header().height()) +
                                   " carries no milestone");
  if (tx_id.size() != 32 || leaf_index >= tree_size || tree_size > UINT32_MAX || path.size() > 32)
    return Status::InvalidArgument("not an inclusion proof of a transaction id");
  std::string out = envelope(kDagTx);
  ITC_RETURN_IF_ERROR(put_certified_header(block.header(), block.qc(), &out));
  put_len_prefixed(tx_id, &out);
  put_be(leaf_index, 4, &out);
  put_be(tree_size, 4, &out);
  put_be(path.size(), 1, &out);
  for (const std::string& h : path) out.append(h);
  return out;
}

Result<std::string> epoch_update(const v1::Block& last, const v1::ValidatorEpoch& next) {
  const v1::BlockHeader& h = last.header();
  if (h.validators_hash().empty() || h.validators_hash() == h.next_validators_hash()) {
    return Status::InvalidArgument("block " + std::to_string(h.height()) +
                                   " does not end its epoch");
  }
  if (ledger::validator_set_hash(next.validators()) != h.next_validators_hash()) {
    return Status::InvalidArgument("the set of epoch " + std::to_string(next.epoch()) +
                                   " is not the one block " + std::to_string(h.height()) +
                                   " names next");
  }
  std::string out = envelope(kEpochUpdate);
  ITC_RETURN_IF_ERROR(put_certified_header(h, last.qc(), &out));
  put_be(next.epoch(), 8, &out);
  put_be(static_cast<std::uint64_t>(next.validators_size()), 1, &out);
  for (const v1::Validator& v : next.validators()) {
    out.append(v.public_key());
    put_be(1, 8, &out);  // every validator's power is 1 on this chain
  }
  return out;
}

Result<std::string> state_proof(const ledger::LedgerState& state, const v1::Block& head,
                                std::string_view key) {
  if (head.header().height() != state.committed_height() ||
      head.header().state_root() != state.committed_root()) {
    return Status::FailedPrecondition("block " + std::to_string(head.header().height()) +
                                      " is not the committed state's (height " +
                                      std::to_string(state.committed_height()) + ")");
  }
  const ledger::LedgerState::StateProof proof = state.prove(key);
  std::string out = envelope(kState);
  ITC_RETURN_IF_ERROR(put_certified_header(head.header(), head.qc(), &out));
  put_len_prefixed(key, &out);
  put_be(proof.entries.size(), 4, &out);
  for (const auto& [k, v] : proof.entries) {
    put_len_prefixed(k, &out);
    put_len_prefixed(v, &out);
  }
  for (const std::string& h : proof.path) out.append(h);
  return out;
}

}  // namespace itc::light::prover
