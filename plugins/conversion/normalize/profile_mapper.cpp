#include "profile_mapper.hpp"

#include <cmath>
#include <set>

#include "itc/services/device_profiles.hpp"

namespace itc::normalize {
std::string_view reject_reason_name(RejectReason r) {
  switch (r) {
    case RejectReason::kUnknownDevice:
      return "unknown_device";
    case RejectReason::kUnknownProfile:
      return "unknown_profile";
    case RejectReason::kUnknownMetric:
      return "unknown_metric";
    case RejectReason::kBadSignature:
      return "bad_signature";
    case RejectReason::kReplayed:
      return "replayed";
    case RejectReason::kMissingValue:
      return "missing_value";
    case RejectReason::kMalformed:
      return "malformed";
    case RejectReason::kDiskWatermark:
      return "disk_watermark";
  }
  return "unknown";
}

ProfileMapper::ProfileMapper(
    const std::vector<std::shared_ptr<const v1::DeviceProfile>>& profiles) {
  for (const auto& dp : profiles) {
    ProfileSpec spec;
    spec.name = dp->name();
    for (const v1::MetricSpec& mc : dp->metrics()) {
      MetricSpec ms;
      ms.name = mc.name();
      ms.raw_metric = raw_metric_of(mc);
      ms.unit = mc.unit();
      if (mc.has_scale()) ms.scale = mc.scale();
      ms.offset = mc.offset();
      if (mc.has_min()) ms.min = mc.min();
      if (mc.has_max()) ms.max = mc.max();
      ms.is_fault_flag = mc.is_fault_flag();
      ms.required = mc.required();
      spec.by_raw.emplace(ms.raw_metric, spec.metrics.size());
      spec.metrics.push_back(std::move(ms));
    }
    profiles_.emplace(spec.name, std::move(spec));
  }
}

const ProfileSpec* ProfileMapper::find(std::string_view profile) const {
  auto it = profiles_.find(std::string(profile));
  return it == profiles_.end() ? nullptr : &it->second;
}

Mapped ProfileMapper::map(const v1::RawFrame& frame, const ProfileSpec& profile,
                          bool verified) const {
  Mapped out;
  auto reject = [&](RejectReason r, std::string detail) {
    out.rejected = r;
    out.detail = std::move(detail);
    out.readings.clear();
    return out;
  };
  std::vector<std::optional<double>> raw(profile.metrics.size());
  for (const v1::RawValue& v : frame.values()) {
    auto it = profile.by_raw.find(v.metric());
    if (it == profile.by_raw.end()) {
      return reject(RejectReason::kUnknownMetric,
                    "metric \"" + v.metric() + "\" is not in profile " + profile.name);
    }
    if (raw[it->second]) {
      return reject(RejectReason::kMalformed, "metric \"" + v.metric() + "\" appears twice");
    }
    switch (v.value_case()) {
      case v1::RawValue::kRawInt:
        raw[it->second] = static_cast<double>(v.raw_int());
        break;
      case v1::RawValue::kRawDouble:
        if (!std::isfinite(v.raw_double())) {
          return reject(RejectReason::kMalformed, "metric \"" + v.metric() + "\" is not finite");
        }
        raw[it->second] = v.raw_double();
        break;
      case v1::RawValue::kRawBool:
        raw[it->second] = v.raw_bool() ? 1.0 : 0.0;
        break;
      default:
        return reject(RejectReason::kMissingValue, "metric \"" + v.metric() + "\" has no value");
    }
  }
  if (frame.values_size() == 0)
    return reject(RejectReason::kMissingValue, "the frame has no values");
  bool fault = false;
  for (std::size_t i = 0; i < profile.metrics.size(); ++i) {
    if (!raw[i] && profile.metrics[i].required) {
      return reject(RejectReason::kMissingValue,
                    "required metric \"" + profile.metrics[i].raw_metric + "\" is missing");
    }
    if (raw[i] && profile.metrics[i].is_fault_flag && *raw[i] != 0) fault = true;
  }
  out.readings.reserve(profile.metrics.size());
  for (std::size_t i = 0; i < profile.metrics.size(); ++i) {
    if (!raw[i]) continue;
    const MetricSpec& m = profile.metrics[i];
    v1::Reading r;
    r.set_device_id(frame.device_id());
    r.set_metric(m.name);
    const double value = *raw[i] * m.scale + m.offset;
    r.set_value(value);
    r.set_unit(m.unit);
    const bool in_range = (!m.min || value >= *m.min) && (!m.max || value <= *m.max);
    if (!in_range) ++out.out_of_range;
    if (fault) {
      r.set_quality(v1::QUALITY_DEVICE_FAULT);
    } else if (!in_range) {
      r.set_quality(v1::QUALITY_OUT_OF_RANGE);
    } else {
      r.set_quality(verified ? v1::QUALITY_GOOD : v1::QUALITY_UNVERIFIED);
    }
    r.set_sampled_at_us(frame.sampled_at_us());
    r.set_frame_seq(frame.seq());
    out.readings.push_back(std::move(r));
  }
  return out;
}

}  // namespace itc::normalize
