// Main-chain transactions: canonical bytes, ids, signing and checking (see
// itc/ledger/transactions.hpp).
#include "itc/ledger/transactions.hpp"

#include "common/ledger_encoding.hpp"
#include "itc/canonical_bytes.hpp"
#include "itc/ledger/block_commitments.hpp"

namespace itc::ledger {
namespace {

constexpr std::string_view kTxDomain = "itc-tx-v1";

// "transaction 7 from ab12cd34..." : which transaction a message is about.
std::string describe(const v1::Transaction& tx) {
  return "transaction " + std::to_string(tx.nonce()) + " from " +
         (tx.sender().empty() ? std::string("<no sender>") : internal::short_hex(tx.sender()));
}

}  // namespace

std::string tx_signing_bytes(std::string_view chain_id, const v1::Transaction& tx) {
  v1::Transaction unsigned_tx = tx;
  unsigned_tx.clear_signature();
  std::string out;
  out.reserve(kTxDomain.size() + 4 + chain_id.size() + unsigned_tx.ByteSizeLong());
  out.append(kTxDomain);
  internal::put_len_prefixed(chain_id, &out);
  out.append(deterministic_bytes(unsigned_tx));
  return out;
}

std::string tx_id(const v1::Transaction& tx) { return crypto::sha256(tx_leaf_bytes(tx)); }

void sign_tx(std::string_view chain_id, v1::Transaction* tx, const crypto::Ed25519PrivateKey& key) {
  tx->set_sender(key.public_key());
  tx->clear_signature();
  tx->set_signature(key.sign(tx_signing_bytes(chain_id, *tx)));
}

Status check_tx_signature(std::string_view chain_id, const v1::Transaction& tx,
                          bool allow_unsigned_anchors) {
  if (tx.body_case() == v1::Transaction::BODY_NOT_SET) {
    return Status::InvalidArgument(describe(tx) +
                                   " has no body (transfer, register_device, "
                                   "transfer_device, anchor, reconfigure, commit_readings "
                                   "or analytics_job)");
  }
  if (tx.signature().empty() && tx.has_anchor()) {
    if (allow_unsigned_anchors) return Status::Ok();
    return Status::PermissionDenied(describe(tx) + ": unsigned anchors are not allowed on chain " +
                                    std::string(chain_id));
  }
  if (tx.sender().size() != crypto::kEd25519PublicKeySize) {
    return Status::InvalidArgument(describe(tx) + ": sender is " +
                                   std::to_string(tx.sender().size()) +
                                   " bytes, expected a 32-byte Ed25519 public key");
  }
  if (tx.signature().empty()) return Status::PermissionDenied(describe(tx) + " is not signed");
  if (!crypto::ed25519_verify(tx.sender(), tx_signing_bytes(chain_id, tx), tx.signature())) {
    return Status::PermissionDenied(describe(tx) +
                                    ": signature does not verify against the sender key "
                                    "for chain " +
                                    std::string(chain_id));
  }
  return Status::Ok();
}

}  // namespace itc::ledger
