// TipSelector: uniform random tip selection among non-lazy tips (IOTA TIP-3, URTS). With
// LSMI the latest milestone index, a tip is
//  - dropped from the tip set if LSMI - OMRSI > below_max_depth, or if it has been a tip
//    longer than tip_max_age_us (it also leaves after tip_max_approvers approvers: Tangle);
//  - lazy (kept, not selected) if LSMI - YMRSI > max_delta_youngest_root or
//    LSMI - OMRSI > max_delta_oldest_root.
// With fewer non-lazy tips than asked, the latest final transactions (at first the entry
// points: Tangle::recent_final) fill in. The RNG is seeded by the caller, so a seed gives one
// sequence. Thread safety: not synchronised; the caller serialises (DagEngine's contract).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "itc/v1/dag.pb.h"
#include "tangle.hpp"

namespace itc::dag {

// True if `node` (a pending transaction or one final at a milestone) may be chosen.
bool is_lazy(const TangleNode& node, std::uint32_t latest_milestone,
             const v1::DagParameters& params);

class TipSelector {
 public:
  TipSelector(const v1::DagParameters& params, std::uint64_t seed) : params_(params), rng_(seed) {}

  // Up to `count` distinct ids to approve (fewer only if the tangle holds fewer).
  std::vector<std::string> select(Tangle& tangle, int count, std::uint32_t latest_milestone,
                                  std::int64_t now_us);

 private:
  const v1::DagParameters& params_;
  std::mt19937_64 rng_;
};

}  // namespace itc::dag
