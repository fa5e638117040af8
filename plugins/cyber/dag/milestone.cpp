#include "milestone.hpp"

#include <unordered_set>

#include "itc/merkle.hpp"

namespace itc::dag {

bool verify_inclusion_proof(std::string_view tx_id, const InclusionProof& proof,
                            std::string_view inclusion_root) {
  return merkle::verify_inclusion(merkle::leaf_hash(tx_id), proof.leaf_index, proof.tree_size,
                                  proof.path, inclusion_root);
}

std::vector<TangleNode*> white_flag_order(Tangle& tangle, const std::vector<std::string>& tips) {
  std::vector<TangleNode*> order;
  std::unordered_set<const TangleNode*> visited;
  struct Frame {
    TangleNode* node;
    int next_parent;
  };
  std::vector<Frame> stack;
  auto visit = [&](std::string_view id) {
    TangleNode* n = tangle.find(id);
    // Not held as a node: final long ago (or an entry point). Final: the walk stops there.
    if (n == nullptr || n->state != TxState::kPending || !visited.insert(n).second) return;
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

MilestoneOutcome confirm_cone(std::uint32_t index, const std::vector<TangleNode*>& cone,
                              DeviceLedger& ledger) {
  MilestoneOutcome out;
  out.index = index;
  std::vector<std::string> leaf_hashes;
  for (TangleNode* n : cone) {
    const auto& tx = n->tx.tx;
    n->milestone = index;
    if (tx.has_transfer()) {
      if (auto conflict =
              ledger.transfer(tx.issuer_public_key(), tx.transfer().to(), tx.transfer().amount())) {
        n->state = TxState::kConflicting;
        n->conflict = *conflict;
        out.conflicting.emplace_back(n->tx.id, *conflict);
        continue;
      }
    }
    n->state = TxState::kFinal;
    n->position = static_cast<std::uint32_t>(out.included.size());
    out.included.push_back(n->tx.id);
    leaf_hashes.push_back(merkle::leaf_hash(n->tx.id));
  }
  out.inclusion_root = merkle::root_from_leaf_hashes(std::move(leaf_hashes));
  out.state_root = ledger.state_root();
  return out;
}

}  // namespace itc::dag
