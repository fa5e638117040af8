#include "tangle.hpp"

#include <algorithm>
#include <unordered_set>

namespace itc::dag {

Tangle::Tangle(const std::vector<std::string>& entry_points) : recent_final_(entry_points) {
  for (const auto& id : entry_points) final_records_[id] = FinalRecord{};
}

TangleNode* Tangle::find(std::string_view id) {
  const auto it = nodes_.find(std::string(id));
  return it == nodes_.end() ? nullptr : &it->second;
}

const TangleNode* Tangle::find(std::string_view id) const {
  const auto it = nodes_.find(std::string(id));
  return it == nodes_.end() ? nullptr : &it->second;
}

const FinalRecord* Tangle::final_record(std::string_view id) const {
  const auto it = final_records_.find(std::string(id));
  return it == final_records_.end() ? nullptr : &it->second;
}

void Tangle::set_root_indices(TangleNode& node) {
  bool first = true;
  for (const auto& pid : node.tx.tx.parents()) {
    std::uint32_t young = 0, old = 0;
    if (const TangleNode* p = find(pid)) {
      young = p->state == TxState::kPending ? p->youngest_root : p->milestone;
      old = p->state == TxState::kPending ? p->oldest_root : p->milestone;
    } else if (const FinalRecord* f = final_record(pid)) {
      young = old = f->milestone;
    }
    node.youngest_root = first ? young : std::max(node.youngest_root, young);
    node.oldest_root = first ? old : std::min(node.oldest_root, old);
    first = false;
  }
}

void Tangle::remove_tip(std::size_t i) {
  tips_[i]->tip_since_us = -1;
  tips_.erase(tips_.begin() + static_cast<std::ptrdiff_t>(i));
}

TangleNode& Tangle::attach(DecodedTransaction tx, std::int64_t now_us, std::uint32_t max_approvers,
                           std::uint32_t max_tips) {
  std::string id = tx.id;
  auto [it, inserted] = nodes_.try_emplace(std::move(id));
  TangleNode& node = it->second;
  node.tx = std::move(tx);
  set_root_indices(node);
  for (const auto& pid : node.tx.tx.parents()) {
    TangleNode* p = find(pid);
    if (p == nullptr) continue;
    p->approvers.push_back(&node);
    if (p->tip_since_us >= 0 && p->approvers.size() >= max_approvers) {
      const auto pos = std::find(tips_.begin(), tips_.end(), p) - tips_.begin();
      remove_tip(static_cast<std::size_t>(pos));
    }
  }
  node.tip_since_us = now_us;
  tips_.push_back(&node);
  while (tips_.size() > max_tips) remove_tip(0);
  pending_.push_back(&node);
  return node;
}

std::uint64_t Tangle::weight(const TangleNode& node, std::uint64_t cap) const {
  std::unordered_set<const TangleNode*> seen;
  std::vector<const TangleNode*> stack(node.approvers.begin(), node.approvers.end());
  while (!stack.empty() && seen.size() < cap) {
    const TangleNode* n = stack.back();
    stack.pop_back();
    if (!seen.insert(n).second) continue;
    stack.insert(stack.end(), n->approvers.begin(), n->approvers.end());
  }
  return seen.size();
}

void Tangle::after_milestone(const std::vector<TangleNode*>& confirmed) {
  std::erase_if(pending_, [](const TangleNode* n) { return n->state != TxState::kPending; });
  for (TangleNode* n : pending_) set_root_indices(*n);
  if (!confirmed.empty()) {
    auto& ids = confirmed_at_[confirmed.front()->milestone];
    for (const TangleNode* n : confirmed) ids.push_back(n->tx.id);
  }
  for (const TangleNode* n : confirmed) recent_final_.push_back(n->tx.id);
  if (recent_final_.size() > kRecentFinal)
    recent_final_.erase(recent_final_.begin(),
                        recent_final_.end() - static_cast<std::ptrdiff_t>(kRecentFinal));
}

void Tangle::prune(std::uint32_t milestone) {
  while (!confirmed_at_.empty() && confirmed_at_.begin()->first <= milestone) {
    for (const auto& id : confirmed_at_.begin()->second) {
      const auto it = nodes_.find(id);
      TangleNode& n = it->second;
      if (n.tip_since_us >= 0) {
        const auto pos = std::find(tips_.begin(), tips_.end(), &n) - tips_.begin();
        remove_tip(static_cast<std::size_t>(pos));
      }
      // Only its parents point to it (in `approvers`); they are final no later than it, so
      // they go in this call or went before. Its approvers name it by id only.
      final_records_[id] = FinalRecord{n.milestone, n.position, n.state == TxState::kConflicting};
      nodes_.erase(it);
    }
    confirmed_at_.erase(confirmed_at_.begin());
  }
}

}  // namespace itc::dag
