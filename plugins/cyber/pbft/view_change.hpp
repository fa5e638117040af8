// The checks and the choice behind a PBFT view change, as pure functions so the new
// primary and every replica reach the same answer from the same 2f+1 ViewChanges.
//
// Blocks are chained (block n names n-1's hash), so the new view re-proposes the
// prepared blocks above the highest stable checkpoint only as long as they chain: for
// each sequence number the certificate of the highest view wins, and the first number
// without a certificate, or whose winner does not chain onto the one below, ends the
// list. A block committed anywhere is never dropped by this: an honest replica sends a
// Commit for n only after it committed n-1 in the same view (or executed it), so a
// committed n has every block from the executed heads up prepared at f+1 honest replicas,
// and blocks below are committed: f+1 honest replicas keep their certificates until a
// stable checkpoint passes them. Any 2f+1 ViewChanges include a certificate for each.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "itc/ledger/validators.hpp"
#include "itc/status.hpp"
#include "itc/v1/consensus.pb.h"

namespace itc::pbft {

struct CertifiedBlock {
  std::uint64_t view = 0;  // view of the certificate
  std::uint64_t seq = 0;
  std::string digest;
  v1::Block block;
  v1::Envelope pre_prepare;  // the signed original, for the certificate
};

// Where the current epoch's chain starts: its first block is seq + 1, and the block at seq
// (the last of the previous epoch, certified by that epoch's set; none at 0) stands for
// a stable checkpoint that needs no proof from this epoch's validators.
struct EpochStart {
  std::uint64_t seq = 0;
  std::string digest;  // block hash at seq ("" at 0)
};

struct CheckedViewChange {
  std::uint32_t sender = 0;
  std::uint64_t new_view = 0;
  std::uint64_t stable_seq = 0;
  std::string stable_digest;                         // block hash at stable_seq ("" at 0)
  std::map<std::uint64_t, CertifiedBlock> prepared;  // by seq
};

// A pre-prepare from the view's primary and 2f matching prepares from distinct other
// validators, all validly signed, over a block that verifies and whose hash is the digest.
Result<CertifiedBlock> check_prepared_certificate(const v1::PreparedCertificate& cert,
                                                  const ledger::ValidatorSet& validators);

// `msg` is an opened envelope holding a ViewChange. Checks the checkpoint proof (2f+1
// distinct validators' Checkpoints for stable_seq with one digest, none needed at the
// epoch's start, nothing below it) and every prepared certificate (above stable_seq, at
// most one per seq, view below new_view).
Result<CheckedViewChange> check_view_change(const v1::ConsensusMessage& msg,
                                            const ledger::ValidatorSet& validators,
                                            const EpochStart& start = {});

struct NewViewPlan {
  std::uint64_t min_seq = 0;                // the highest stable checkpoint among the ViewChanges
  std::string min_digest;                   // its block hash ("" at 0)
  std::vector<CertifiedBlock> reproposals;  // seqs min_seq+1, min_seq+2, ... in order
};

NewViewPlan plan_new_view(const std::vector<CheckedViewChange>& view_changes);

// A NewView for view v from `sender` (its envelope's signer) holds 2f+1 valid
// ViewChanges for v from distinct validators, and re-proposes, signed by `sender` in
// view v, exactly the blocks plan_new_view() picks from them, in order: every replica
// recomputes the choice instead of trusting the new primary. Returns that plan.
Result<NewViewPlan> check_new_view(const v1::NewView& nv, std::uint32_t sender,
                                   const ledger::ValidatorSet& validators,
                                   const EpochStart& start = {});

}  // namespace itc::pbft
