#include "shrink.hpp"

#include <cstdio>

namespace itc::sim {

FaultPlan shrink(const FaultPlan& failing, const std::string& property, int max_runs) {
  FaultPlan best = failing;
  int runs = 0;
  bool dropped = true;
  while (dropped && runs < max_runs) {
    dropped = false;
    for (std::size_t i = 0; i < best.keep.size() && runs < max_runs; ++i) {
      FaultPlan trial = best;
      trial.keep.erase(trial.keep.begin() + static_cast<std::ptrdiff_t>(i));
      ++runs;
      const Outcome o = run_scenario(trial, false);
      if (o.violation && o.violation->property == property) {
        best = std::move(trial);
        dropped = true;
        --i;  // the next event now sits at index i
      }
    }
  }
  return best;
}

std::string replay_arguments(const FaultPlan& plan) {
  std::string s = "--seed " + std::to_string(plan.seed) + " --events ";
  for (std::size_t i = 0; i < plan.keep.size(); ++i) {
    s += (i ? "," : "") + std::to_string(plan.keep[i]);
  }
  return plan.keep.empty() ? s + "''" : s;
}

std::optional<std::vector<std::size_t>> parse_events(const std::string& text) {
  std::vector<std::size_t> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t comma = text.find(',', pos);
    const std::string part = text.substr(pos, comma == std::string::npos ? comma : comma - pos);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    out.push_back(std::stoul(part));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

void Campaign::add(const FaultPlan& plan, const Outcome& o) {
  ++scenarios_;
  failures_ += o.violation ? 1 : 0;
  with_twins_ += plan.twin_of ? 1 : 0;
  seven_ += plan.validators == 7 ? 1 : 0;
  for (std::size_t i : plan.keep) ++fault_events_[static_cast<int>(plan.events[i].kind)];
  blocks_ += o.height;
  acknowledged_ += o.acknowledged;
  frames_ += o.frames;
  dropped_ += o.frames_dropped;
  duplicated_ += o.frames_duplicated;
  crashes_ += o.crashes;
  view_changes_ += o.view_changes;
  simulated_seconds_ += static_cast<double>(o.ended_at.count()) / 1e9;
}

std::string Campaign::summary(double wall_seconds) const {
  char buf[1024];
  const auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
  std::snprintf(buf, sizeof buf,
                "scenarios %llu in %.1f s: %.2f scenarios/s (%.0f simulated s/s), failures %llu\n"
                "  shapes: %llu with 7 validators, %llu with Byzantine twins\n"
                "  faults: %llu crashes (%llu took effect), %llu partitions, %llu heals, %llu link "
                "changes, %llu clock skews, %llu request floods\n"
                "  network: %llu frames, %llu dropped, %llu duplicated\n"
                "  committed: %llu blocks, %llu transactions acknowledged, %llu view changes\n",
                u(scenarios_), wall_seconds, static_cast<double>(scenarios_) / wall_seconds,
                simulated_seconds_ / wall_seconds, u(failures_), u(seven_), u(with_twins_),
                u(fault_events_[0]), u(crashes_), u(fault_events_[2]), u(fault_events_[3]),
                u(fault_events_[4]), u(fault_events_[5]), u(fault_events_[6]), u(frames_),
                u(dropped_), u(duplicated_), u(blocks_), u(acknowledged_), u(view_changes_));
  return buf;
}

}  // namespace itc::sim
