// Main-chain transactions: canonical bytes, ids, signing and checking. Every node and the
// CLI use these, so a transaction signed anywhere verifies everywhere.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "itc/crypto.hpp"
#include "itc/export.hpp"
#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::ledger {

// "itc-tx-v1" || len(chain_id) || chain_id || deterministic bytes of `tx` without its
// signature. The chain id keeps a transaction of one network from replaying on another.
ITC_EXPORT std::string tx_signing_bytes(std::string_view chain_id, const v1::Transaction& tx);
// SHA-256 over the deterministic bytes of the whole transaction (signature included).
ITC_EXPORT std::string tx_id(const v1::Transaction& tx);
// Sets tx->sender to the key's public key and tx->signature.
ITC_EXPORT void sign_tx(std::string_view chain_id, v1::Transaction* tx,
                        const crypto::Ed25519PrivateKey& key);
// Ok, or PermissionDenied/InvalidArgument with the reason: no body, a sender that is not
// a 32-byte key, a missing or wrong signature. An Anchor without signature passes only
// if `allow_unsigned_anchors`.
ITC_EXPORT Status check_tx_signature(std::string_view chain_id, const v1::Transaction& tx,
                                     bool allow_unsigned_anchors);

// The Merkle leaf bytes and the block's tx_root are in itc/ledger/block_commitments.hpp.

}  // namespace itc::ledger
