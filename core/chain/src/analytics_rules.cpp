// ChainCode's transaction formats and device selection (see analytics_rules.hpp).
#include "analytics_rules.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "itc/crypto.hpp"

namespace itc::ledger::internal {
namespace {

constexpr std::size_t kSec1UncompressedSize = 65;
constexpr std::uint32_t kMaxDecimals = 9;
constexpr std::size_t kMaxTemplateName = 64;
constexpr std::int64_t kMicrosPerSecond = 1'000'000;

Status bad(const std::string& field, const std::string& why) {
  return Status::InvalidArgument(field + ": " + why);
}

std::string indexed(const char* list, int i, const char* field) {
  return std::string(list) + "[" + std::to_string(i) + "]." + field;
}

// The template is a cognition plugin, so its name follows the plugin-name grammar
// (core/src/host/plugin_name.hpp): 1..64 of [a-z0-9-], not starting with '-'.
bool is_template_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxTemplateName || name.front() == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool is_sketch(v1::Aggregate a) {
  return a == v1::AGGREGATE_DISTINCT_COUNT || a == v1::AGGREGATE_MEMBERSHIP ||
         a == v1::AGGREGATE_HEAVY_HITTERS;
}

Status check_selection(const v1::DeviceSelection& s) {
  for (int i = 0; i < s.profiles_size(); ++i) {
    if (s.profiles(i).empty()) return bad("selection.profiles[" + std::to_string(i) + "]", "empty");
  }
  for (int i = 0; i < s.owners_size(); ++i) {
    if (s.owners(i).size() != crypto::kEd25519PublicKeySize) {
      return bad(
          "selection.owners[" + std::to_string(i) + "]",
          std::to_string(s.owners(i).size()) + " bytes, expected a 32-byte Ed25519 public key");
    }
  }
  for (int i = 0; i < s.sites_size(); ++i) {
    if (s.sites(i).empty()) return bad("selection.sites[" + std::to_string(i) + "]", "empty");
  }
  return Status::Ok();
}

}  // namespace

std::uint32_t commitment_period_of(const v1::Genesis& genesis) {
  return genesis.commitment_period_s() == 0 ? kDefaultCommitmentPeriodS
                                            : genesis.commitment_period_s();
}

Status check_commit_readings(const v1::CommitReadings& body, std::uint32_t period_s) {
  if (body.commitments_size() == 0) return bad("commit_readings.commitments", "empty");
  if (body.commitments_size() > kMaxCommitmentsPerTx) {
    return bad("commit_readings.commitments", std::to_string(body.commitments_size()) +
                                                  " commitments, at most " +
                                                  std::to_string(kMaxCommitmentsPerTx));
  }
  const std::int64_t period_us = std::int64_t{period_s} * kMicrosPerSecond;
  for (int i = 0; i < body.commitments_size(); ++i) {
    const v1::ReadingCommitment& c = body.commitments(i);
    const char* list = "commit_readings.commitments";
    if (c.device_id().empty()) return bad(indexed(list, i, "device_id"), "empty");
    if (c.metric().empty()) return bad(indexed(list, i, "metric"), "empty");
    // Positive: the state's CommittedPeriod of 0 would be the empty message, "none yet".
    if (c.period_start_us() <= 0 || c.period_start_us() % period_us != 0) {
      return bad(indexed(list, i, "period_start_us"),
                 std::to_string(c.period_start_us()) + " is not a positive multiple of the " +
                     std::to_string(period_s) + " s commitment period (Unix time, µs)");
    }
    if (c.count() == 0) return bad(indexed(list, i, "count"), "0; a commitment sums >= 1 reading");
    if (c.decimals() > kMaxDecimals) {
      return bad(indexed(list, i, "decimals"), std::to_string(c.decimals()) + " is above 9");
    }
    if (c.commitment().size() != kSec1UncompressedSize || c.commitment()[0] != '\x04') {
      return bad(indexed(list, i, "commitment"),
                 std::to_string(c.commitment().size()) +
                     " bytes; expected a SEC1 uncompressed P-256 point (65 bytes, 0x04 || x || y)");
    }
  }
  return Status::Ok();
}

Status check_analytics_job(const v1::AnalyticsJob& job) {
  ITC_RETURN_IF_ERROR(check_selection(job.selection()));
  if (job.metric().empty()) return bad("analytics_job.metric", "empty");
  if (job.window_start_us() < 0 || job.window_end_us() <= job.window_start_us()) {
    return bad("analytics_job.window",
               "[" + std::to_string(job.window_start_us()) + ", " +
                   std::to_string(job.window_end_us()) +
                   ") is not a window: the start must be >= 0 and before the end");
  }
  if (job.aggregates_size() == 0) return bad("analytics_job.aggregates", "none asked for");
  std::set<int> seen;
  bool sketch = false;
  for (int i = 0; i < job.aggregates_size(); ++i) {
    const int a = job.aggregates(i);
    if (a == v1::AGGREGATE_UNSPECIFIED || !v1::Aggregate_IsValid(a)) {
      return bad("analytics_job.aggregates[" + std::to_string(i) + "]",
                 "unknown aggregate " + std::to_string(a));
    }
    if (!seen.insert(a).second) {
      return bad("analytics_job.aggregates[" + std::to_string(i) + "]",
                 v1::Aggregate_Name(job.aggregates(i)) + " is asked for twice");
    }
    sketch = sketch || is_sketch(job.aggregates(i));
  }
  if (job.min_devices() == 0) {
    return bad("analytics_job.min_devices", "0; k must be at least 1");
  }
  if (!std::isfinite(job.epsilon()) || job.epsilon() < 0) {
    return bad("analytics_job.epsilon", "must be finite and >= 0 (0 = no noise)");
  }
  if (job.epsilon() > 0 && !sketch) {
    return bad("analytics_job.epsilon",
               "differential privacy applies to sketches (distinct count, membership, heavy "
               "hitters); none is asked for");
  }
  if (!is_template_name(job.template_name())) {
    return bad("analytics_job.template_name",
               "'" + job.template_name().substr(0, kMaxTemplateName) +
                   "' is not a template name (1..64 of [a-z0-9-], not starting with '-')");
  }
  if (job.escrow() == 0) return bad("analytics_job.escrow", "0; a job pays its owners >= 1 ITC");
  return Status::Ok();
}

bool selection_matches(const v1::DeviceSelection& selection, const v1::DeviceRecord& device) {
  auto holds = [](const auto& list, const std::string& value) {
    return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
  };
  return holds(selection.profiles(), device.profile()) &&
         holds(selection.owners(), device.owner()) && holds(selection.sites(), device.site());
}

}  // namespace itc::ledger::internal
