#include "solidification.hpp"

#include <algorithm>

namespace itc::dag {

void SolidificationBuffer::park(DecodedTransaction tx, const std::vector<std::string>& missing) {
  const std::string id = tx.id;
  for (const auto& m : missing) waiting_[m].push_back(id);
  order_.push_back(id);
  parked_.emplace(id, Parked{std::move(tx), missing.size()});
}

std::vector<DecodedTransaction> SolidificationBuffer::arrived(const std::string& id) {
  std::vector<DecodedTransaction> solid;
  const auto w = waiting_.find(id);
  if (w == waiting_.end()) return solid;
  const std::vector<std::string> waiters = std::move(w->second);
  waiting_.erase(w);
  for (const auto& child : waiters) {
    const auto p = parked_.find(child);
    if (p == parked_.end() || --p->second.missing > 0) continue;
    solid.push_back(std::move(p->second.tx));
    parked_.erase(p);
  }
  return solid;
}

std::vector<std::string> SolidificationBuffer::missing() const {
  std::vector<std::string> out;
  for (const auto& [id, waiters] : waiting_)
    if (parked_.count(id) == 0) out.push_back(id);
  std::sort(out.begin(), out.end());
  return out;
}

void SolidificationBuffer::forget(const std::string& id) {
  const auto p = parked_.find(id);
  if (p == parked_.end()) return;
  for (const auto& parent : p->second.tx.tx.parents()) {
    const auto w = waiting_.find(parent);
    if (w == waiting_.end()) continue;
    std::erase(w->second, id);
    if (w->second.empty()) waiting_.erase(w);
  }
  parked_.erase(p);
}

std::size_t SolidificationBuffer::expire(std::int64_t oldest_us) {
  std::size_t dropped = 0;
  while (!order_.empty()) {
    const auto p = parked_.find(order_.front());
    if (p != parked_.end() && p->second.tx.tx.issued_at_us() >= oldest_us) break;
    if (p != parked_.end()) {
      forget(order_.front());
      ++dropped;
    }
    order_.pop_front();
  }
  // Ids that left by arriving stay in order_ until they reach the front; keep it bounded.
  if (order_.size() > 2 * capacity_)
    std::erase_if(order_, [&](const std::string& id) { return parked_.count(id) == 0; });
  return dropped;
}

}  // namespace itc::dag
