// Slot: what one replica knows about one sequence number (= block height) of the log,
// and SlotPhase, how far agreement on it has come in the slot's view.
//
// The phases of a slot in its view, in the only order a replica may pass them:
//
//   Empty --accept--> PrePrepared --2f prepares--> Prepared --commit sent--> CommitSent
//                                                                  --2f+1 commits--> Committed
//   any phase --clear--> Empty   (the tentative chain is dropped: view change, state transfer)
//
// Why each step is safe:
// - accept: a backup takes one pre-prepare per (view, seq), from that view's primary, in
//   sequence order, and only once it re-executed the block on the tentative state (root
//   checked). The slot is Empty then: the tentative chain above the executed head is
//   cleared whenever the view changes or state transfer replaces it.
// - Prepared: the pre-prepare and 2f matching prepares from distinct other validators
//   (the prepared certificate). Two different blocks cannot both be prepared in one
//   view, since their 2f+1 supporters would share an honest replica that voted twice.
// - CommitSent: the replica commits n only once n is prepared and it committed n-1 in the
//   same view (or executed it), so every block between its head and n is prepared here
//   and a committed block's predecessors survive any view change (view_change.hpp). The
//   step is the replica's; it records the vote first.
// - Committed: 2f+1 matching commits in the slot's view; the block executes once every
//   block below it has (Replica::execute_ready) and its commits become its QC.
// - clear: only the phase and the pre-prepare go; the votes and the prepared certificate
//   stay (a view change carries the certificate; the journal keeps the votes).
// Thread safety: none (the replica's protocol thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "itc/v1/consensus.pb.h"
#include "vote_set.hpp"

namespace itc::pbft {

class SlotPhase {
 public:
  enum Phase : std::uint8_t { kEmpty, kPrePrepared, kPrepared, kCommitSent, kCommitted };

  // Whether a slot may go from `from` to `to` (the diagram above).
  static constexpr bool legal(Phase from, Phase to) {
    return to == kEmpty || static_cast<int>(to) == static_cast<int>(from) + 1;
  }

  Phase get() const { return phase_; }
  // Moves to `to` if the diagram allows it from here; false (and unchanged) otherwise.
  bool advance(Phase to) {
    if (!legal(phase_, to)) return false;
    phase_ = to;
    return true;
  }
  void clear() { phase_ = kEmpty; }

  bool has_pre_prepare() const { return phase_ >= kPrePrepared; }
  bool prepared() const { return phase_ >= kPrepared; }
  bool commit_sent() const { return phase_ >= kCommitSent; }
  bool committed() const { return phase_ == kCommitted; }

 private:
  Phase phase_ = kEmpty;
};

struct Slot {
  std::uint64_t view = 0;  // view of the accepted pre-prepare
  SlotPhase phase;         // in `view`
  v1::Envelope pre_prepare;
  v1::Block block;
  std::string digest;
  VoteSet prepares;
  VoteSet commits;
  std::optional<v1::PreparedCertificate> certificate;  // latest prepared, any view
  std::uint64_t certificate_view = 0;

  // Takes the pre-prepare `env` for `accepted_block` in `in_view`. The slot is Empty:
  // pre-prepares are accepted in order on top of the tentative chain, and every slot
  // above its tip is (a debug build asserts it; a release build starts the slot afresh).
  void accept(std::uint64_t in_view, const v1::Envelope& env, v1::Block accepted_block,
              std::string block_digest);
};

}  // namespace itc::pbft
