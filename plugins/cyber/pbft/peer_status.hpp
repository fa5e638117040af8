// PeerStatus: what a replica believes about the other validators, from their Status
// messages and from hearing them at all (CometBFT's peer state, for PBFT).
//
// - Heights: a peer's committed height is believed only as far as the quorum
//   certificate in its Status proves it (2f+1 commit signatures over that height). A
//   claim that would not put the peer ahead of this replica needs no proof: nothing
//   follows from it. An unproven claim is refused and starts nothing (no state transfer,
//   no view change); a copy of the last refused claim costs a comparison, and refusals
//   are logged at most once a second per peer. Across an epoch boundary the QC may be
//   the next set's (set_next), once this replica's chain has decided that set.
// - Views: f+1 peers settled in a view means at least one honest replica is there, so a
//   replica behind it joins by fetching that view's new-view instead of starting a view
//   change of its own.
// - Liveness: the peers heard from lately; a replica that hears fewer than a quorum
//   cannot tell a silent primary from its own partition.
// Thread safety: none (the replica's protocol thread). Times are steady-clock readings.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "itc/ledger/validators.hpp"
#include "itc/status.hpp"
#include "itc/v1/consensus.pb.h"

namespace itc::pbft {

class PeerStatus {
 public:
  // `validators` outlives this object (the replica's own set).
  explicit PeerStatus(const ledger::ValidatorSet& validators,
                      const ledger::ValidatorSet* next = nullptr)
      : validators_(validators), next_(next) {}
  PeerStatus& operator=(PeerStatus&& other) noexcept {
    status_ = std::move(other.status_);
    proven_ = std::move(other.proven_);
    refused_claims_ = std::move(other.refused_claims_);
    claim_logged_ = std::move(other.claim_logged_);
    last_heard_ = std::move(other.last_heard_);
    next_ = other.next_;
    return *this;
  }

  // A new epoch: peers are numbered by the new set, nothing said before counts.
  void reset() { *this = PeerStatus(validators_, next_); }
  // The set of the next epoch, once the chain has decided it: a peer already past the
  // boundary proves its height with a QC of that set.
  void set_next(const ledger::ValidatorSet* next) { next_ = next; }

  void heard(std::uint32_t peer, std::chrono::nanoseconds now) { last_heard_[peer] = now; }
  // Peers heard from within `window` before `now`.
  std::size_t heard_within(std::chrono::nanoseconds now, std::chrono::nanoseconds window) const;

  struct Refusal {
    Status reason;
    bool log = false;  // the first refusal from this peer within a second
  };
  // Keeps `s` as `peer`'s latest status and believes its committed height as far as its
  // QC proves it, `own_height` being this replica's executed height. A refusal is
  // returned once per distinct claim (nullopt: believed, or a copy of the last refusal).
  std::optional<Refusal> note(std::uint32_t peer, const v1::Status& s, std::uint64_t own_height,
                              std::chrono::nanoseconds now);

  // The peer proving the highest height above `own_height` ({self, own_height} if none).
  std::pair<std::uint32_t, std::uint64_t> best_proven(std::uint32_t self,
                                                      std::uint64_t own_height) const;
  // Proven heights by peer.
  const std::map<std::uint32_t, std::uint64_t>& proven_heights() const { return proven_; }

  // The highest view that f+1 peers report being settled in, if this replica (in `view`,
  // `in_view_change`) is behind it or still changing to it.
  std::optional<std::uint64_t> settled_view_ahead(std::uint64_t view, bool in_view_change) const;

 private:
  const ledger::ValidatorSet& validators_;
  const ledger::ValidatorSet* next_ = nullptr;
  std::map<std::uint32_t, v1::Status> status_;
  std::map<std::uint32_t, std::uint64_t> proven_;        // by the QC of their Status
  std::map<std::uint32_t, std::string> refused_claims_;  // last unproven Status, as sent
  std::map<std::uint32_t, std::chrono::nanoseconds> claim_logged_;
  std::map<std::uint32_t, std::chrono::nanoseconds> last_heard_;
};

}  // namespace itc::pbft
