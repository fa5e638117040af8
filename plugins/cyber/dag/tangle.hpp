// The tangle: the transactions a node holds by id, who approves whom, the tip set, each
// pending transaction's TIP-3 root milestone indices and its cumulative weight.
//
// Final transactions stay as nodes for below_max_depth milestones (they can still be
// approved); then prune() keeps only their id, milestone and position (about 100 bytes),
// so a pruned id is still answered as final and refused as a parent (too old).
//
// Cumulative weight of a pending transaction: the number of distinct transactions that
// approve it directly or indirectly. It is computed when asked (weight()), by a walk over
// its approvers: O(its future cone), capped by the caller; attaching costs nothing for it.
//
// Thread safety: not synchronised; the caller serialises (DagEngine's contract). Node
// pointers stay valid until the node is pruned.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "transaction.hpp"

namespace itc::dag {

enum class TxState { kPending, kFinal, kConflicting };

struct TangleNode {
  DecodedTransaction tx;
  std::vector<TangleNode*> approvers;
  TxState state = TxState::kPending;
  std::uint32_t milestone = 0;      // final or conflicting at this milestone
  std::uint32_t position = 0;       // final: leaf index in the milestone's inclusion tree
  std::string conflict;             // conflicting: why
  std::uint32_t youngest_root = 0;  // TIP-3 YMRSI / OMRSI (a confirmed one: its milestone)
  std::uint32_t oldest_root = 0;
  std::int64_t tip_since_us = -1;  // >= 0 while in the tip set
};

// A final id no longer held as a node (an entry point or pruned).
struct FinalRecord {
  std::uint32_t milestone = 0;
  std::uint32_t position = 0;
  bool conflicting = false;
};

class Tangle {
 public:
  static constexpr std::size_t kRecentFinal = 8;

  // `entry_points`: ids taken as final at milestone 0 (the first parents).
  explicit Tangle(const std::vector<std::string>& entry_points);
  Tangle(const Tangle&) = delete;  // nodes point to each other
  Tangle& operator=(const Tangle&) = delete;

  TangleNode* find(std::string_view id);
  const TangleNode* find(std::string_view id) const;
  const FinalRecord* final_record(std::string_view id) const;
  bool contains(std::string_view id) const { return find(id) || final_record(id); }

  // Adds `tx`, whose parents are all contained, as a tip at `now_us`. Its parents with
  // `max_approvers` approvers leave the tip set; the oldest tip leaves beyond `max_tips`.
  TangleNode& attach(DecodedTransaction tx, std::int64_t now_us, std::uint32_t max_approvers,
                     std::uint32_t max_tips);

  // Distinct transactions approving `id` directly or indirectly, counting up to `cap`.
  std::uint64_t weight(const TangleNode& node, std::uint64_t cap) const;

  // After a milestone has confirmed `confirmed` (state set by the caller): recomputes the
  // root indices of the pending ones (O(pending x parents)), and keeps the last
  // kRecentFinal final ids (at first the entry points) as the parents to fall back on when
  // there are too few tips.
  void after_milestone(const std::vector<TangleNode*>& confirmed);
  // Drops nodes confirmed at or before `milestone`, keeping their FinalRecord: O(dropped).
  void prune(std::uint32_t milestone);

  std::vector<TangleNode*>& tips() { return tips_; }
  void remove_tip(std::size_t i);
  const std::vector<std::string>& recent_final() const { return recent_final_; }
  std::size_t size() const { return nodes_.size(); }
  std::size_t pending() const { return pending_.size(); }
  // Pending transactions nothing approves yet, youngest first: a milestone naming them all
  // confirms every pending one (the tip set may have dropped some as too old or too many).
  std::vector<const TangleNode*> frontier() const {
    std::vector<const TangleNode*> out;
    for (auto it = pending_.rbegin(); it != pending_.rend(); ++it)
      if ((*it)->approvers.empty()) out.push_back(*it);
    return out;
  }

 private:
  void set_root_indices(TangleNode& node);

  std::unordered_map<std::string, TangleNode> nodes_;
  std::unordered_map<std::string, FinalRecord> final_records_;
  std::vector<TangleNode*> pending_;  // in arrival order: parents before children
  std::vector<TangleNode*> tips_;     // in the order they became tips
  std::vector<std::string> recent_final_;
  std::map<std::uint32_t, std::vector<std::string>> confirmed_at_;  // held final, by milestone
};

}  // namespace itc::dag
