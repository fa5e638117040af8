#include "retention_policy.hpp"

#include <limits>

#include "ledger_store_rules.hpp"

namespace itc::store_common {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::int64_t kMicrosPerHour = 3'600'000'000;
constexpr std::uint32_t kMaxKeepHours = 24 * 365 * 100;
constexpr std::uint64_t kMaxBudgetMb = std::uint64_t{1} << 30;  // 1 PiB
constexpr std::uint32_t kMaxBatchBlocks = 10'000;

}  // namespace

std::string RetentionPolicy::describe() const {
  if (!on()) return "everything (retention off)";
  std::string kept = "readings and transactions";
  if (keep_us > 0) kept += " of the last " + std::to_string(keep_us / kMicrosPerHour) + " h";
  if (budget_bytes > 0) {
    kept += std::string(keep_us > 0 ? "," : "") + " at most " +
            std::to_string(budget_bytes / kMiB) + " MB of them";
  }
  return kept + "; headers, QCs and state of every block";
}

Status check_retention_config(const RetentionConfig& config) {
  if (config.keep_hours > kMaxKeepHours) {
    return Status::InvalidArgument("retention.keep_hours: " + std::to_string(config.keep_hours) +
                                   " is more than 100 years (" + std::to_string(kMaxKeepHours) +
                                   ")");
  }
  if (config.budget_mb > kMaxBudgetMb) {
    return Status::InvalidArgument("retention.budget_mb: " + std::to_string(config.budget_mb) +
                                   " is more than " + std::to_string(kMaxBudgetMb));
  }
  if (config.batch_blocks > kMaxBatchBlocks) {
    return Status::InvalidArgument(
        "retention.batch_blocks: " + std::to_string(config.batch_blocks) + " is more than " +
        std::to_string(kMaxBatchBlocks));
  }
  if (config.interval_ms != 0 && config.interval_ms < 100) {
    return Status::InvalidArgument("retention.interval_ms: " + std::to_string(config.interval_ms) +
                                   " is less than 100");
  }
  return Status::Ok();
}

RetentionPolicy retention_policy(const RetentionConfig& config) {
  RetentionPolicy policy;
  if (config.interval_ms > 0) policy.interval = std::chrono::milliseconds(config.interval_ms);
  if (config.batch_blocks > 0) policy.batch_blocks = config.batch_blocks;
  if (config.keep_everything) return policy;
  const std::uint32_t hours = config.keep_hours > 0 ? config.keep_hours : kDefaultKeepHours;
  policy.keep_us = static_cast<std::int64_t>(hours) * kMicrosPerHour;
  policy.budget_bytes = config.budget_mb * kMiB;
  return policy;
}

bool due_for_pruning(const RetentionPolicy& policy, std::int64_t committed_at_us,
                     std::int64_t now_us, std::uint64_t kept_bytes) {
  if (policy.keep_us > 0 && committed_at_us < now_us - policy.keep_us) return true;
  return policy.budget_bytes > 0 && kept_bytes > policy.budget_bytes;
}

Result<std::string> pruned_body(std::string_view stored_body, std::uint64_t height) {
  v1::Block body;
  if (!body.ParseFromArray(stored_body.data(), static_cast<int>(stored_body.size()))) {
    return Status::Corruption(block_label(height) + ": body is not a valid serialized block");
  }
  body.clear_transactions();
  body.clear_readings();
  return body.SerializeAsString();
}

Status pruned_block(std::uint64_t height, std::uint64_t pruned_through, const std::string& policy) {
  return Status::FailedPrecondition(
      block_label(height) + ": pruned at height " + std::to_string(height) + " (blocks 1.." +
      std::to_string(pruned_through) + " are pruned; retention keeps " + policy +
      "); its header and QC are kept");
}

Result<v1::BlockCommitted> stored_summary(std::uint64_t height, std::string_view header,
                                          std::string_view hash, const std::string* qc,
                                          std::int64_t committed_at_us,
                                          std::int64_t oldest_sample_us) {
  v1::BlockCommitted out;
  if (!out.mutable_header()->ParseFromArray(header.data(), static_cast<int>(header.size())) ||
      out.header().height() != height) {
    return Status::Corruption(block_label(height) + ": stored header does not parse");
  }
  out.set_hash(std::string(hash));
  if (qc != nullptr && !out.mutable_qc()->ParseFromString(*qc)) {
    return Status::Corruption(block_label(height) + ": stored qc does not parse");
  }
  out.set_committed_at_us(committed_at_us);
  out.set_oldest_sample_us(oldest_sample_us);
  return out;
}

}  // namespace itc::store_common
