// ChainCode's transactions on the main chain (itc/chain/state.hpp, "Analytics"): what a
// CommitReadings or AnalyticsJob body must say on its own, and which registered devices
// a job's selection matches. The state they change is applied in state.cpp.
// Internal to libitc-chain. Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::ledger::internal {

inline constexpr std::uint32_t kDefaultCommitmentPeriodS = 60;
inline constexpr int kMaxCommitmentsPerTx = 1024;

// genesis.commitment_period_s, 0 meaning kDefaultCommitmentPeriodS.
std::uint32_t commitment_period_of(const v1::Genesis& genesis);

// Each commitment's fields: ids present, the period positive and aligned to `period_s`, count >= 1,
// decimals 0..9, a 65-byte SEC1 uncompressed point (whether it lies on P-256 is checked
// by whoever sums it: verify_sum names the bad one). Errors name the field by index.
Status check_commit_readings(const v1::CommitReadings& body, std::uint32_t period_s);

// The job's fields: metric, window, aggregates (known, no repeats), k >= 1, epsilon
// (finite, >= 0, only with a sketch aggregate), template name, escrow >= 1, selection.
Status check_analytics_job(const v1::AnalyticsJob& job);

// A device matches when every non-empty list of the selection holds its value.
bool selection_matches(const v1::DeviceSelection& selection, const v1::DeviceRecord& device);

}  // namespace itc::ledger::internal
