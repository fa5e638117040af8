// The node side of the light-client format (schemas/light-proof-format.md): encodes
// header updates and inclusion and state proofs from the chain's own objects (blocks,
// quorum certificates, LedgerState), for libitc-light to check. A node that serves them
// is not trusted: whatever it changes, the client refuses with the reason.
// Thread safety: pure functions (LedgerState must not change during state_proof).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "itc/chain/state.hpp"
#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::light::prover {

// The header's fields as the block hash reads them (after its domain); SHA-256 of
// "itc-block-v2" and these bytes is block_hash(header).
std::string header_fields(const v1::BlockHeader& header);

// A header update (kind 1) for a block and its quorum certificate. InvalidArgument if
// the certificate is not for the block's height and hash, or has no signature.
Result<std::string> header_update(const v1::BlockHeader& header, const v1::QuorumCertificate& qc);
// Inclusion of transaction / reading `index` of `block` (kind 2 / 3); the block carries
// its certificate. NotFound if there is no such index.
Result<std::string> tx_proof(const v1::Block& block, int index);
Result<std::string> reading_proof(const v1::Block& block, int index);
// A device transaction's finality (kind 5): `tx_id` at `leaf_index` of the milestone
// inclusion tree (`tree_size` leaves, audit `path` bottom up) whose root is the dag_root of
// `block`, which carries its certificate. InvalidArgument if the block has no milestone.
Result<std::string> dag_tx_proof(const v1::Block& block, std::string_view tx_id,
                                 std::uint64_t leaf_index, std::uint64_t tree_size,
                                 const std::vector<std::string>& path);
// A state proof (kind 4) for `key` against `head`, the block at state.committed_height()
// (its state_root is state.committed_root(); FailedPrecondition if not).
Result<std::string> state_proof(const ledger::LedgerState& state, const v1::Block& head,
                                std::string_view key);

// An epoch update (kind 6): `last`, the last block of an epoch with its certificate, and
// `next`, the set its header's next_validators_hash names. InvalidArgument if the header
// does not end its epoch, or `next` does not hash to next_validators_hash.
Result<std::string> epoch_update(const v1::Block& last, const v1::ValidatorEpoch& next);

}  // namespace itc::light::prover
