// What a block header commits to: the Merkle roots over its readings and transactions and
// the block hash over the header's fields; verify_block checks them all.
#pragma once

#include <string>

#include "itc/export.hpp"
#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc {

// Merkle leaf bytes of a reading: deterministic protobuf bytes.
ITC_EXPORT std::string reading_leaf_bytes(const v1::Reading& reading);
// Merkle root over the block's readings.
ITC_EXPORT std::string readings_merkle_root(const v1::Block& block);
// Merkle leaf bytes of a transaction (its deterministic bytes) and the RFC 6962 root over
// a block's transactions (the empty tree's root when it has none).
ITC_EXPORT std::string tx_leaf_bytes(const v1::Transaction& tx);
ITC_EXPORT std::string transactions_root(const v1::Block& block);
// SHA-256 over "itc-block-v2" and the header's fields: fixed-width big-endian integers,
// variable-length fields with a 4-byte length first.
ITC_EXPORT std::string block_hash(const v1::BlockHeader& header);
// Checks the block's hash, both Merkle roots and the reading and transaction counts.
// (The quorum certificate is checked against the validator set: ValidatorSet::verify_qc.)
ITC_EXPORT Status verify_block(const v1::Block& block);

}  // namespace itc
