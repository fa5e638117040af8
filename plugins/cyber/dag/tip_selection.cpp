#include "tip_selection.hpp"

#include <algorithm>

namespace itc::dag {
namespace {

std::uint32_t young_root(const TangleNode& n) {
  return n.state == TxState::kPending ? n.youngest_root : n.milestone;
}
std::uint32_t old_root(const TangleNode& n) {
  return n.state == TxState::kPending ? n.oldest_root : n.milestone;
}

}  // namespace

bool is_lazy(const TangleNode& node, std::uint32_t latest_milestone,
             const v1::DagParameters& params) {
  return latest_milestone - young_root(node) > params.max_delta_youngest_root() ||
         latest_milestone - old_root(node) > params.max_delta_oldest_root();
}

std::vector<std::string> TipSelector::select(Tangle& tangle, int count,
                                             std::uint32_t latest_milestone, std::int64_t now_us) {
  auto& tips = tangle.tips();
  std::vector<const TangleNode*> candidates;
  for (std::size_t i = 0; i < tips.size();) {
    const TangleNode& t = *tips[i];
    if (latest_milestone - old_root(t) > params_.below_max_depth() ||
        now_us - t.tip_since_us > params_.tip_max_age_us()) {
      tangle.remove_tip(i);
      continue;
    }
    if (!is_lazy(t, latest_milestone, params_)) candidates.push_back(&t);
    ++i;
  }
  std::vector<std::string> chosen;
  const auto want = static_cast<std::size_t>(std::max(count, 0));
  // Partial Fisher–Yates: the first `want` candidates after it are a uniform sample.
  for (std::size_t i = 0; i < candidates.size() && chosen.size() < want; ++i) {
    std::uniform_int_distribution<std::size_t> pick(i, candidates.size() - 1);
    std::swap(candidates[i], candidates[pick(rng_)]);
    chosen.push_back(candidates[i]->tx.id);
  }
  const auto& recent = tangle.recent_final();  // oldest first: the newest fill in first
  for (auto it = recent.rbegin(); it != recent.rend() && chosen.size() < want; ++it) {
    const std::string& id = *it;
    if (std::find(chosen.begin(), chosen.end(), id) == chosen.end()) chosen.push_back(id);
  }
  return chosen;
}

}  // namespace itc::dag
