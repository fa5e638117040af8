// FaultPlan: the faults of one scenario, drawn from its seed. A plan is a list of timed
// events the simulator applies on top of a network that otherwise delivers every message
// after a short random delay; after `calm_at` every fault stops (partitions heal, crashed
// replicas restart, links stop losing) and the replicas must commit again (liveness).
// Shrinking keeps the seed and drops events: `keep` names the events still applied, and
// the command line `itc-sim --seed S --events 0,3,7` replays exactly that subset.
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "event_queue.hpp"

namespace itc::sim {

enum class FaultKind : std::uint8_t {
  kCrash,      // `slot` stops; with `torn` it dies while writing its vote journal
  kRestart,    // `slot` starts again from its vote journal and store
  kPartition,  // slots talk only within their `groups` entry (any shape)
  kHeal,       // every slot reaches every other again
  kLinks,      // every link loses `loss`, duplicates `dup`, delays up to `max_delay`
  kSkew,       // `slot`'s wall clock is off by `skew_us`, its steady clock drifts `drift`
  kFlood,      // `count` requests arrive at `slot` at once
};

struct FaultEvent {
  SimTime at{0};
  FaultKind kind = FaultKind::kHeal;
  std::uint32_t slot = 0;
  bool torn = false;
  std::vector<std::uint8_t> groups;  // kPartition: group of each slot
  double loss = 0;
  double dup = 0;
  SimTime max_delay{0};
  std::int64_t skew_us = 0;
  double drift = 0;
  std::uint32_t count = 0;
};

struct FaultPlan {
  std::uint64_t seed = 0;
  std::uint32_t validators = 4;
  // Byzantine twins: validator `twin_of`'s key also runs in slot `validators` (a second
  // replica fed different inputs by partitions). That validator is the faulty one.
  std::optional<std::uint32_t> twin_of;
  std::vector<FaultEvent> events;  // by time
  std::vector<std::size_t> keep;   // indices of `events` applied (all, unless shrunk)
  SimTime calm_at{0};

  std::uint32_t slots() const { return validators + (twin_of ? 1 : 0); }
  // The validator whose key runs in `slot`.
  std::uint32_t validator_of(std::uint32_t slot) const {
    return slot < validators ? slot : *twin_of;
  }
  bool honest(std::uint32_t slot) const { return validator_of(slot) != twin_of; }
};

// The plan of `seed`: 4 validators (7 for some seeds), twins for some, 3 to 16 events in
// the first 8 simulated seconds.
FaultPlan draw_plan(std::uint64_t seed);

// "t=1.250s crash slot 2 (torn journal write)".
std::string describe(const FaultEvent& event);
// The plan's shape and its applied events, one a line.
std::string describe(const FaultPlan& plan);

}  // namespace itc::sim
