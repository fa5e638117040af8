// World: one scenario. It builds the slots of a FaultPlan (each a SimNode running the real
// Replica), a client load (unsigned anchors from a few clients, to random live slots),
// applies the plan's faults at their times, and after `calm_at` lets the replicas run on
// calm links until every honest one has committed two blocks above the height reached
// when the faults stopped (liveness), or fails after the bound. The Checker's properties
// are checked as every event runs; the first violation ends the scenario.
// Thread safety: none; one World per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "checker.hpp"
#include "fault_plan.hpp"

namespace itc::sim {

struct Outcome {
  std::optional<Violation> violation;
  SimTime ended_at{0};
  std::uint64_t events = 0;
  std::uint64_t height = 0;        // agreed chain height at the end
  std::uint64_t acknowledged = 0;  // transactions acknowledged to clients
  std::uint64_t frames = 0;        // frames sent (before faults)
  std::uint64_t frames_dropped = 0;
  std::uint64_t frames_duplicated = 0;
  std::uint64_t crashes = 0;
  std::uint64_t view_changes = 0;  // summed over slots (live at the end)
};

// How long after the faults stop the honest replicas get to commit again.
inline constexpr SimTime kLivenessBound = std::chrono::seconds(60);

// `trace`: print each fault as it is applied and the replicas' warnings.
Outcome run_scenario(const FaultPlan& plan, bool trace);

}  // namespace itc::sim
