// What a ledger store keeps of old blocks (itc/services/ledger_retention.hpp), the same for
// store-sqlite and store-postgres: the policy from the config, which block is due for
// pruning, what a pruned block's body keeps, and the words a pruned block is refused with.
//
// "Kept bytes" are the bytes of the bulky parts a store still holds: its readings rows plus
// the bodies of the blocks not pruned (transactions, header, hash, qc). A size budget caps
// them; indexes, headers and state come on top (store READMEs give measured ratios).
// Thread safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::store_common {

struct RetentionPolicy {
  std::int64_t keep_us = 0;         // prune blocks committed longer ago; 0: no age limit
  std::uint64_t budget_bytes = 0;   // prune oldest blocks while more is kept; 0: no budget
  std::uint32_t batch_blocks = 32;  // blocks per transaction
  std::chrono::milliseconds interval{10'000};  // between runs on the host's timer

  bool on() const { return keep_us > 0 || budget_bytes > 0; }
  // "readings and transactions of the last 720 h, at most 2048 MB of them; headers, QCs and
  // state of every block" or "everything (retention off)".
  std::string describe() const;
};

// The fields of a store's `retention:` config section.
struct RetentionConfig {
  bool keep_everything = false;    // retention off
  std::uint32_t keep_hours = 0;    // 0: 720 (30 days)
  std::uint64_t budget_mb = 0;     // 0: no budget
  std::uint32_t interval_ms = 0;   // 0: 10000
  std::uint32_t batch_blocks = 0;  // 0: 32
};
inline constexpr std::uint32_t kDefaultKeepHours = 720;

// InvalidArgument naming the field ("retention.batch_blocks: ...") for values out of range.
Status check_retention_config(const RetentionConfig& config);
RetentionPolicy retention_policy(const RetentionConfig& config);

// Whether the oldest block not yet pruned, committed at `committed_at_us`, is to be pruned
// at `now_us` while `kept_bytes` are kept.
bool due_for_pruning(const RetentionPolicy& policy, std::int64_t committed_at_us,
                     std::int64_t now_us, std::uint64_t kept_bytes);

// The stored body of a pruned block: the stored body (a block without readings) without its
// transactions; header, hash and qc stay. Corruption naming the block if it does not parse.
Result<std::string> pruned_body(std::string_view stored_body, std::uint64_t height);

// FailedPrecondition "block 7: pruned at height 7 (blocks 1..120 are pruned; retention keeps
// ...)": the answer to a
// request for a pruned block's readings or transactions. `pruned_through` is the highest
// pruned height.
Status pruned_block(std::uint64_t height, std::uint64_t pruned_through, const std::string& policy);

// The header summary of a stored block from its columns. Corruption naming the block if the
// header or qc bytes do not parse.
Result<v1::BlockCommitted> stored_summary(std::uint64_t height, std::string_view header,
                                          std::string_view hash, const std::string* qc,
                                          std::int64_t committed_at_us,
                                          std::int64_t oldest_sample_us);

}  // namespace itc::store_common
