// ProfileMapper: maps a raw frame's values through its device profile into readings.
// Immutable after construction; safe to use from many threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/device.pb.h"
#include "itc/v1/profile.pb.h"

namespace itc::normalize {

// Why a frame was skipped; each has a counter frames_rejected_<name>.
enum class RejectReason {
  kUnknownDevice,
  kUnknownProfile,
  kUnknownMetric,
  kBadSignature,
  kReplayed,
  kMissingValue,
  kMalformed,
  kDiskWatermark,  // the node's data dir is below its refuse watermark (itc.disk-space.v1)
};
inline constexpr RejectReason kAllRejectReasons[] = {
    RejectReason::kUnknownDevice, RejectReason::kUnknownProfile, RejectReason::kUnknownMetric,
    RejectReason::kBadSignature,  RejectReason::kReplayed,       RejectReason::kMissingValue,
    RejectReason::kMalformed,     RejectReason::kDiskWatermark};
std::string_view reject_reason_name(RejectReason r);

struct MetricSpec {
  std::string name;
  std::string raw_metric;
  std::string unit;
  double scale = 1;
  double offset = 0;
  std::optional<double> min;
  std::optional<double> max;
  bool is_fault_flag = false;
  bool required = false;
};

struct ProfileSpec {
  std::string name;
  std::vector<MetricSpec> metrics;                      // config order
  std::unordered_map<std::string, std::size_t> by_raw;  // raw_metric -> index
};

// The outcome of mapping one frame: readings, or why the frame was skipped.
struct Mapped {
  std::optional<RejectReason> rejected;
  std::string detail;  // names the metric etc. for the log
  std::vector<v1::Reading> readings;
  std::size_t out_of_range = 0;  // readings outside [min, max] (also under a fault)
};

class ProfileMapper {
 public:
  // Compiles the node's device profiles (already checked by the host when it loaded
  // them: names unique, scale non-zero, min <= max).
  explicit ProfileMapper(const std::vector<std::shared_ptr<const v1::DeviceProfile>>& profiles);

  const ProfileSpec* find(std::string_view profile) const;

  // Readings for `frame` under `profile`, one per metric the frame carries (a frame may
  // carry any non-empty subset, but every `required` metric); frame_digest left empty;
  // quality GOOD, OUT_OF_RANGE or DEVICE_FAULT; `verified` false turns GOOD into
  // UNVERIFIED.
  Mapped map(const v1::RawFrame& frame, const ProfileSpec& profile, bool verified) const;

 private:
  std::unordered_map<std::string, ProfileSpec> profiles_;
};

}  // namespace itc::normalize
