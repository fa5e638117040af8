// Local verification of what a node serves, trusting no node: a block's hash, Merkle roots
// and quorum certificate against the validator set of a genesis file the user chose, and
// a transaction's RFC 6962 inclusion proof against the header's tx_root — computed here
// from the block's own transactions.
// Thread safety: pure functions.
#pragma once

#include <QString>
#include <optional>

#include "itc/ledger/validators.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::studio {

struct Verdict {
  bool valid = false;
  QString text;  // "VALID: …" or "INVALID: …" with the reason
};

// The validator set of `genesis_path`, or nullopt and *error naming the file and field.
std::optional<ledger::ValidatorSet> load_validators(const QString& genesis_path, QString* error);

// Block hash, both Merkle roots, the counts, then the QC against `validators`.
Verdict verify_certificate(const v1::Block& block, const ledger::ValidatorSet& validators);

// Builds the inclusion proof of transaction `index` from all of the block's transactions,
// then verifies it against header.tx_root as a light client would.
struct InclusionCheck {
  Verdict verdict;
  std::vector<std::string> proof;  // the audit path (32-byte hashes)
  std::string leaf_hash;
};
InclusionCheck verify_tx_inclusion(const v1::Block& block, int index);

}  // namespace itc::studio
