// Shrinking a failing scenario, and the campaign's totals.
// shrink() drops fault events one at a time from a failing plan, keeping each drop after
// which the scenario still breaks the same property, until no single event can go: what
// is left is a short schedule that still fails, replayed by `itc-sim --seed S --events ...`.
// Thread safety: none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fault_plan.hpp"
#include "world.hpp"

namespace itc::sim {

// At most `max_runs` scenarios are run while shrinking.
FaultPlan shrink(const FaultPlan& failing, const std::string& property, int max_runs = 150);

// "--seed S --events 0,3,7".
std::string replay_arguments(const FaultPlan& plan);
// "0,3,7" -> {0, 3, 7}; nullopt if it is not such a list ("" is the empty list).
std::optional<std::vector<std::size_t>> parse_events(const std::string& text);

// Totals over many scenarios, for the figures a campaign prints.
class Campaign {
 public:
  void add(const FaultPlan& plan, const Outcome& o);
  std::uint64_t failures() const { return failures_; }
  // "scenarios 500 (12.3/s), failures 0, ..." with the faults injected.
  std::string summary(double wall_seconds) const;

 private:
  std::uint64_t scenarios_ = 0;
  std::uint64_t failures_ = 0;
  std::uint64_t with_twins_ = 0;
  std::uint64_t seven_ = 0;
  std::uint64_t fault_events_[7] = {};
  std::uint64_t blocks_ = 0;
  std::uint64_t acknowledged_ = 0;
  std::uint64_t frames_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t duplicated_ = 0;
  std::uint64_t crashes_ = 0;
  std::uint64_t view_changes_ = 0;
  double simulated_seconds_ = 0;
};

}  // namespace itc::sim
