#include "ledger/block_verifier.hpp"

#include "itc/ledger/block_commitments.hpp"
#include "itc/merkle.hpp"
#include "node_api/proto_json.hpp"

namespace itc::studio {

namespace {
QString which(const v1::Block& block) {
  return QString("block %1 (%2)").arg(block.header().height()).arg(hex(block.hash(), 16));
}
Verdict invalid(const v1::Block& block, const QString& why) {
  return {false, QString("INVALID: %1: %2").arg(which(block), why)};
}
}  // namespace

std::optional<ledger::ValidatorSet> load_validators(const QString& genesis_path, QString* error) {
  auto genesis = ledger::load_genesis(genesis_path.toStdString());
  if (!genesis.ok()) {
    if (error) *error = QString::fromStdString(genesis.status().message());
    return std::nullopt;
  }
  auto set = ledger::ValidatorSet::from_genesis(*genesis);
  if (!set.ok()) {
    if (error) *error = genesis_path + ": " + QString::fromStdString(set.status().message());
    return std::nullopt;
  }
  return std::move(set).value();
}

Verdict verify_certificate(const v1::Block& block, const ledger::ValidatorSet& validators) {
  if (Status s = verify_block(block); !s.ok()) {
    return invalid(block, QString::fromStdString(s.message()));
  }
  if (!block.has_qc() || block.qc().signatures_size() == 0) {
    return invalid(block, "it has no quorum certificate (a solo block, or not PBFT-committed)");
  }
  if (Status s = validators.verify_qc(block.header(), block.hash(), block.qc()); !s.ok()) {
    return invalid(block, QString::fromStdString(s.message()));
  }
  return {true, QString("VALID: %1 of chain %2: hash, roots and a quorum certificate of %3 "
                        "signatures (quorum %4 of %5 validators) check out")
                    .arg(which(block), QString::fromStdString(validators.chain_id()))
                    .arg(block.qc().signatures_size())
                    .arg(validators.quorum())
                    .arg(validators.size())};
}

InclusionCheck verify_tx_inclusion(const v1::Block& block, int index) {
  InclusionCheck out;
  const int n = block.transactions_size();
  if (index < 0 || index >= n) {
    out.verdict =
        invalid(block, QString("it has no transaction #%1 (it has %2)").arg(index).arg(n));
    return out;
  }
  std::vector<std::string> leaves;
  leaves.reserve(static_cast<std::size_t>(n));
  for (const v1::Transaction& tx : block.transactions()) {
    leaves.push_back(merkle::leaf_hash(tx_leaf_bytes(tx)));
  }
  out.leaf_hash = leaves[static_cast<std::size_t>(index)];
  out.proof = merkle::inclusion_proof(leaves, static_cast<std::uint64_t>(index));
  const bool ok =
      merkle::verify_inclusion(out.leaf_hash, static_cast<std::uint64_t>(index),
                               static_cast<std::uint64_t>(n), out.proof, block.header().tx_root());
  const QString what = QString(
                           "transaction #%1 (leaf %2) of %3, proof of %4 hashes against "
                           "tx_root %5")
                           .arg(index)
                           .arg(hex(out.leaf_hash, 16), which(block))
                           .arg(out.proof.size())
                           .arg(hex(block.header().tx_root(), 16));
  out.verdict = ok ? Verdict{true, "VALID: " + what}
                   : Verdict{false, "INVALID: " + what + ": the proof does not reach the root"};
  return out;
}

}  // namespace itc::studio
