// Votes of one kind, and the votes this replica sent.
//
// VoteSet keeps, per round, each validator's latest vote (digest and signed envelope) and
// counts the ones that match a digest. A round is the view for a slot's prepares and
// commits (2f matching prepares from validators other than the primary prepare a slot,
// 2f+1 matching commits commit it) and the sequence number for checkpoints (2f+1 matching
// ones make it stable). A validator counts once per round whatever it sends, so a
// Byzantine one cannot make up a quorum alone; a second, different vote from it in one
// round is an equivocation (add() says so) and replaces the first, since either way it
// is one of the f that may lie.
//
// SentVotes is what this replica voted, from its journal: (kind, view, seq) -> digest.
// An honest replica never votes for two blocks at one (view, seq) — not even across a
// restart — which is what keeps two quorums of one view from disagreeing (any two
// quorums of 2f+1 share an honest replica).
// Thread safety: none (the replica's protocol thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "itc/v1/consensus.pb.h"

namespace itc::pbft {

class VoteSet {
 public:
  enum class Added { kNew, kRepeated, kEquivocation };

  // Records `sender`'s vote for `digest` in `round` (the latest vote of a sender counts).
  Added add(std::uint64_t round, std::uint32_t sender, const std::string& digest,
            const v1::Envelope& envelope);

  // Distinct senders who voted for `digest` in `round`, `except` not counted.
  std::size_t matching(std::uint64_t round, const std::string& digest,
                       std::optional<std::uint32_t> except = std::nullopt) const;

  // Forgets the rounds up to `round` (checkpoints below a stable one).
  void forget_up_to(std::uint64_t round) {
    by_round_.erase(by_round_.begin(), by_round_.upper_bound(round));
  }

  // Calls fn(sender, envelope) for each vote counted by matching(), by ascending sender.
  template <typename Fn>
  void for_each_matching(std::uint64_t round, const std::string& digest,
                         std::optional<std::uint32_t> except, Fn&& fn) const {
    auto it = by_round_.find(round);
    if (it == by_round_.end()) return;
    for (const auto& [sender, vote] : it->second) {
      if (vote.first == digest && sender != except) fn(sender, vote.second);
    }
  }

 private:
  // round -> sender -> (digest, envelope)
  std::map<std::uint64_t, std::map<std::uint32_t, std::pair<std::string, v1::Envelope>>> by_round_;
};

enum class VoteKind : int { kPrePrepare = 1, kPrepare = 2, kCommit = 3 };

class SentVotes {
 public:
  // Remembers a vote read back from the journal (or signed now) as sent.
  void restore(VoteKind kind, std::uint64_t view, std::uint64_t seq, const std::string& digest) {
    votes_[{kind, view, seq}] = digest;
  }
  // True if this replica already voted for another digest at (kind, view, seq): it must
  // not vote. Otherwise the vote is remembered as sent and the caller sends it.
  bool would_equivocate(VoteKind kind, std::uint64_t view, std::uint64_t seq,
                        const std::string& digest);
  bool voted(VoteKind kind, std::uint64_t view, std::uint64_t seq) const {
    return votes_.count({kind, view, seq}) != 0;
  }
  // Forgets votes at or below a stable checkpoint.
  void forget_up_to(std::uint64_t seq);

 private:
  std::map<std::tuple<VoteKind, std::uint64_t, std::uint64_t>, std::string> votes_;
};

}  // namespace itc::pbft
