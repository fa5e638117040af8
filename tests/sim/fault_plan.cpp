#include "fault_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <random>

namespace itc::sim {
namespace {

constexpr SimTime kFaultWindow = std::chrono::seconds(8);

class Draw {
 public:
  explicit Draw(std::uint64_t seed) : rng_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  std::uint64_t below(std::uint64_t n) { return rng_() % n; }
  bool chance(double p) { return unit() < p; }
  double unit() { return static_cast<double>(rng_() >> 11) / static_cast<double>(1ull << 53); }
  double between(double lo, double hi) { return lo + (hi - lo) * unit(); }
  SimTime time_within(SimTime limit) {
    return SimTime(static_cast<std::int64_t>(below(static_cast<std::uint64_t>(limit.count()))));
  }

 private:
  std::mt19937_64 rng_;
};

std::string seconds(SimTime t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", static_cast<double>(t.count()) / 1e9);
  return buf;
}

}  // namespace

FaultPlan draw_plan(std::uint64_t seed) {
  Draw d(seed);
  FaultPlan plan;
  plan.seed = seed;
  plan.validators = d.chance(0.15) ? 7 : 4;
  if (d.chance(0.3)) plan.twin_of = static_cast<std::uint32_t>(d.below(plan.validators));
  const std::uint32_t slots = plan.slots();
  const auto count = 3 + d.below(14);
  for (std::uint64_t i = 0; i < count; ++i) {
    FaultEvent e;
    e.at = d.time_within(kFaultWindow);
    const auto kind = d.below(100);
    if (kind < 22) {
      e.kind = FaultKind::kCrash;
      e.slot = static_cast<std::uint32_t>(d.below(slots));
      e.torn = d.chance(0.5);
      FaultEvent back = e;
      back.kind = FaultKind::kRestart;
      back.at = e.at + std::chrono::milliseconds(20 + d.below(3000));
      plan.events.push_back(back);
    } else if (kind < 42) {
      e.kind = FaultKind::kPartition;
      const auto groups = 2 + d.below(2);
      for (std::uint32_t s = 0; s < slots; ++s) {
        e.groups.push_back(static_cast<std::uint8_t>(d.below(groups)));
      }
    } else if (kind < 52) {
      e.kind = FaultKind::kHeal;
    } else if (kind < 77) {
      e.kind = FaultKind::kLinks;
      e.loss = d.chance(0.3) ? d.between(0.3, 0.8) : d.between(0, 0.2);
      e.dup = d.between(0, 0.2);
      e.max_delay = std::chrono::milliseconds(1 + d.below(d.chance(0.2) ? 2000 : 150));
    } else if (kind < 89) {
      e.kind = FaultKind::kSkew;
      e.slot = static_cast<std::uint32_t>(d.below(slots));
      e.skew_us = static_cast<std::int64_t>(d.below(40'000'000)) - 20'000'000;
      e.drift = d.between(-0.05, 0.05);
    } else {
      e.kind = FaultKind::kFlood;
      e.slot = static_cast<std::uint32_t>(d.below(slots));
      e.count = static_cast<std::uint32_t>(50 + d.below(600));
    }
    plan.events.push_back(e);
  }
  std::stable_sort(plan.events.begin(), plan.events.end(),
                   [](const FaultEvent& a, const FaultEvent& b) { return a.at < b.at; });
  for (std::size_t i = 0; i < plan.events.size(); ++i) plan.keep.push_back(i);
  plan.calm_at = std::max(kFaultWindow, plan.events.empty() ? SimTime(0) : plan.events.back().at) +
                 std::chrono::milliseconds(1);
  return plan;
}

std::string describe(const FaultEvent& e) {
  std::string s = "t=" + seconds(e.at) + " ";
  const std::string slot = "slot " + std::to_string(e.slot);
  switch (e.kind) {
    case FaultKind::kCrash:
      return s + "crash " + slot + (e.torn ? " (torn journal write)" : "");
    case FaultKind::kRestart:
      return s + "restart " + slot;
    case FaultKind::kPartition: {
      s += "partition";
      for (std::size_t i = 0; i < e.groups.size(); ++i) {
        s += (i == 0 ? " " : ",") + std::to_string(e.groups[i]);
      }
      return s + " (group of each slot)";
    }
    case FaultKind::kHeal:
      return s + "heal partitions";
    case FaultKind::kLinks:
      return s + "links: loss " + std::to_string(e.loss) + ", duplicate " + std::to_string(e.dup) +
             ", delay up to " + seconds(e.max_delay);
    case FaultKind::kSkew:
      return s + "skew " + slot + ": wall " + std::to_string(e.skew_us / 1000) + " ms, drift " +
             std::to_string(e.drift);
    case FaultKind::kFlood:
      return s + "flood " + slot + " with " + std::to_string(e.count) + " requests";
  }
  return s;
}

std::string describe(const FaultPlan& plan) {
  std::string s = "seed " + std::to_string(plan.seed) + ": " + std::to_string(plan.validators) +
                  " validators" +
                  (plan.twin_of ? ", twins of validator " + std::to_string(*plan.twin_of) +
                                      " (slot " + std::to_string(plan.validators) + ")"
                                : "") +
                  ", faults until " + seconds(plan.calm_at) + "\n";
  for (std::size_t i : plan.keep)
    s += "  [" + std::to_string(i) + "] " + describe(plan.events[i]) + "\n";
  return s;
}

}  // namespace itc::sim
