// Milestones: the main chain names a set of tips; their past cone that is not yet final
// becomes final in white-flag order (IOTA TIP-2): a post-order walk over parents in the
// order each transaction lists them, tips in the milestone's order, stopping at final
// transactions. Micro-transfers apply in that order: the first spend that fits wins, a
// later one that does not is conflicting (with the reason) — the same on every node. The
// inclusion root is the RFC 6962 root over the ids of the final, non-conflicting
// transactions in that order (leaf = the 32-byte id); the state root is the ledger's after
// applying.
// Thread safety: pure functions over structures the caller serialises.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "device_ledger.hpp"
#include "itc/status.hpp"
#include "tangle.hpp"

namespace itc::dag {

struct MilestoneOutcome {
  std::uint32_t index = 0;
  std::vector<std::string> included;  // final ids, in white-flag order (the leaves)
  std::vector<std::pair<std::string, std::string>> conflicting;  // id, reason
  std::string inclusion_root;
  std::string state_root;
};

// What proves "transaction `id` is final at milestone `milestone`" given that milestone's
// inclusion root (which the main chain's block header commits to).
struct InclusionProof {
  std::uint32_t milestone = 0;
  std::uint64_t leaf_index = 0;
  std::uint64_t tree_size = 0;
  std::vector<std::string> path;
};
bool verify_inclusion_proof(std::string_view tx_id, const InclusionProof& proof,
                            std::string_view inclusion_root);

// A milestone worked out without changing the tangle: its cone in white-flag order, which
// of it conflicts (and why), and the inclusion root over the rest.
struct MilestonePlan {
  std::vector<std::string> cone;      // every id it makes final or conflicting, in order
  std::vector<std::string> included;  // the final ones, in order (the leaves)
  std::vector<std::pair<std::string, std::string>> conflicting;  // id, reason
  std::string inclusion_root;
};

// The not-yet-final past cone of `tips` (all held in `tangle`) in white-flag order, leaving
// out what is in `visited` (and adding the cone to it: the cones of earlier milestones that
// are ordered but not yet applied count as final). O(cone size x parents), iterative.
std::vector<TangleNode*> white_flag_order(Tangle& tangle, const std::vector<std::string>& tips,
                                          std::unordered_set<const TangleNode*>* visited);

// Applies the transfers of `cone` (white-flag order) to `ledger`: the plan. Changes no node.
MilestonePlan plan_cone(const std::vector<TangleNode*>& cone, TransferLedger& ledger);

// Marks `cone` final or conflicting at `index` as `plan` says, with leaf positions.
void confirm_cone(std::uint32_t index, const std::vector<TangleNode*>& cone,
                  const MilestonePlan& plan);

}  // namespace itc::dag
