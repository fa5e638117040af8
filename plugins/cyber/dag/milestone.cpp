#include "milestone.hpp"

#include <unordered_map>

#include "itc/merkle.hpp"

namespace itc::dag {

bool verify_inclusion_proof(std::string_view tx_id, const InclusionProof& proof,
                            std::string_view inclusion_root) {
  return merkle::verify_inclusion(merkle::leaf_hash(tx_id), proof.leaf_index, proof.tree_size,
                                  proof.path, inclusion_root);
}

std::vector<TangleNode*> white_flag_order(Tangle& tangle, const std::vector<std::string>& tips,
                                          std::unordered_set<const TangleNode*>* visited) {
  std::vector<TangleNode*> order;
  struct Frame {
    TangleNode* node;
    int next_parent;
  };
  std::vector<Frame> stack;
  auto visit = [&](std::string_view id) {
    TangleNode* n = tangle.find(id);
    // Not held as a node: final long ago (or an entry point). Final: the walk stops there.
    if (n == nullptr || n->state != TxState::kPending || !visited->insert(n).second) return;
    stack.push_back({n, 0});
  };
  for (const auto& tip : tips) {
    visit(tip);
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next_parent < f.node->tx.tx.parents_size()) {
        const std::string& parent = f.node->tx.tx.parents(f.next_parent++);
        visit(parent);  // may grow the stack: `f` is not used after this
        continue;
      }
      order.push_back(f.node);
      stack.pop_back();
    }
  }
  return order;
}

MilestonePlan plan_cone(const std::vector<TangleNode*>& cone, TransferLedger& ledger) {
  MilestonePlan plan;
  std::vector<std::string> leaf_hashes;
  for (const TangleNode* n : cone) {
    const auto& tx = n->tx.tx;
    plan.cone.push_back(n->tx.id);
    if (tx.has_transfer()) {
      if (auto conflict =
              ledger.transfer(tx.issuer_public_key(), tx.transfer().to(), tx.transfer().amount())) {
        plan.conflicting.emplace_back(n->tx.id, *conflict);
        continue;
      }
    }
    plan.included.push_back(n->tx.id);
    leaf_hashes.push_back(merkle::leaf_hash(n->tx.id));
  }
  plan.inclusion_root = merkle::root_from_leaf_hashes(std::move(leaf_hashes));
  return plan;
}

void confirm_cone(std::uint32_t index, const std::vector<TangleNode*>& cone,
                  const MilestonePlan& plan) {
  std::unordered_map<std::string_view, const std::string*> reasons;
  for (const auto& [id, reason] : plan.conflicting) reasons.emplace(id, &reason);
  std::uint32_t position = 0;
  for (TangleNode* n : cone) {
    n->milestone = index;
    if (auto it = reasons.find(n->tx.id); it != reasons.end()) {
      n->state = TxState::kConflicting;
      n->conflict = *it->second;
      continue;
    }
    n->state = TxState::kFinal;
    n->position = position++;
  }
}

}  // namespace itc::dag
