// What the owner's node does with a committed device's readings (issue 14, item 1): it
// sums each device's readings of one metric over a commitment period (the chain's
// genesis.commitment_period_s) and, once the period has closed, turns the sum into one
// Pedersen commitment for the chain (v1::ReadingCommitment: device, metric, period, the
// public count, C = V·G + r·H) and its opening (V, r) for the owner's private store.
// Why this granularity: README.md, "Which granularity of commitments the pipeline can
// afford" — the cost is devices × metrics ÷ period, independent of the reading rate.
// Thread safety: none (one owner's pipeline thread); distinct objects are independent.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/device.pb.h"
#include "itc/v1/ledger.pb.h"
#include "pedersen.hpp"

namespace itc::analytics {

// One closed period of one device and metric: what goes on the chain and what the owner
// keeps. `opening.value` is the sum of the scaled readings, `count` of them.
struct CommittedPeriod {
  v1::ReadingCommitment commitment;
  Opening opening;
};

class PeriodCommitments {
 public:
  // `period_s` >= 1; `decimals`: each reading is scaled as scale_reading(value, decimals)
  // (0..9; the same for every reading of a metric, so sums add).
  PeriodCommitments(std::uint32_t period_s, int decimals);

  // Adds a reading to its period, [start, start + period) holding sampled_at_us.
  // InvalidArgument (nothing added) for an empty device or metric, a value that does not
  // scale, a negative time, a reading of a period already closed ("period ... closed"),
  // or a sum that would leave int64.
  Status add(const v1::Reading& reading);

  // Commits and removes every period that ended at or before `now_us`, ordered by
  // (period, device, metric). OpenSSL failing throws (p256.hpp).
  std::vector<CommittedPeriod> close_until(std::int64_t now_us);

  std::int64_t period_us() const { return period_us_; }
  std::size_t open_periods() const { return open_.size(); }

 private:
  struct Sum {
    std::int64_t value = 0;
    std::uint64_t count = 0;
  };
  using Key = std::tuple<std::int64_t, std::string, std::string>;  // period, device, metric

  std::int64_t period_us_;
  int decimals_;
  std::int64_t closed_before_us_ = 0;  // periods starting before this are committed
  std::map<Key, Sum> open_;
};

}  // namespace itc::analytics
