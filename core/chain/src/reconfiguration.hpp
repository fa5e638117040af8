// The rules of a validator-set change (a Reconfigure transaction) and of epoch
// boundaries; the ledger state (state.cpp) reads and writes the "v/" keys around them.
// Internal to libitc-chain. Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::ledger::internal {

inline constexpr std::uint64_t kDefaultEpochBlocks = 100;
inline constexpr int kMinValidators = 4;   // n = 3f+1 with f >= 1
inline constexpr int kMaxValidators = 16;  // what a light client's State holds

// The genesis parameter with its default (0 means kDefaultEpochBlocks).
std::uint64_t epoch_blocks_of(const v1::Genesis& genesis);

// The first height b = k * epoch_blocks + 1 with b >= height + 2: a change committed at
// `height` leaves at least one block (b - 1, the old epoch's last) whose header commits
// to the new set as next_validators_hash before the new set signs.
std::uint64_t epoch_boundary_after(std::uint64_t height, std::uint64_t epoch_blocks);

// Checks `change` against the current set and returns the pending epoch it creates
// (first_height = the boundary after `height`). Refusals name the reason: the wrong
// epoch, a change already pending, a new set that is too small or too large, has a bad
// or duplicate key, name or address or equals the current one, an approval from an
// index outside the current set (not a validator), one validator approving twice, a
// signature that does not verify, fewer than 2f+1 approvals.
Result<v1::ValidatorEpoch> check_reconfigure(std::string_view chain_id,
                                             const v1::ValidatorEpoch& current,
                                             const v1::ValidatorEpoch* pending,
                                             const v1::Reconfigure& change, std::uint64_t height,
                                             std::uint64_t epoch_blocks);

}  // namespace itc::ledger::internal
