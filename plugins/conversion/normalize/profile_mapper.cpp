#include "profile_mapper.hpp"

#include <cmath>
#include <set>

#include "normalize.pb.h"

namespace itc::normalize {
namespace {

std::string num(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

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
  }
  return "unknown";
}

Result<ProfileMapper> ProfileMapper::create(const Config& config) {
  ProfileMapper mapper;
  for (int p = 0; p < config.profiles_size(); ++p) {
    const DeviceProfile& dp = config.profiles(p);
    const std::string at = "profiles[" + std::to_string(p) + "]";
    if (dp.name().empty()) return Status::InvalidArgument(at + ".name: required");
    if (mapper.profiles_.count(dp.name())) {
      return Status::InvalidArgument(at + ".name: duplicate profile \"" + dp.name() + "\"");
    }
    if (dp.metrics_size() == 0) {
      return Status::InvalidArgument(at + ".metrics: a profile needs at least one metric");
    }
    ProfileSpec spec;
    spec.name = dp.name();
    std::set<std::string> names;
    for (int m = 0; m < dp.metrics_size(); ++m) {
      const Metric& mc = dp.metrics(m);
      const std::string mat = at + ".metrics[" + std::to_string(m) + "]";
      MetricSpec ms;
      ms.name = mc.name();
      if (ms.name.empty()) return Status::InvalidArgument(mat + ".name: required");
      if (!names.insert(ms.name).second) {
        return Status::InvalidArgument(mat + ".name: duplicate metric \"" + ms.name + "\"");
      }
      ms.raw_metric = mc.raw_metric().empty() ? mc.name() : mc.raw_metric();
      if (spec.by_raw.count(ms.raw_metric)) {
        return Status::InvalidArgument(mat + ".raw_metric: \"" + ms.raw_metric +
                                       "\" is already mapped by another metric");
      }
      ms.unit = mc.unit();
      if (mc.has_scale()) {
        if (!std::isfinite(mc.scale()) || mc.scale() == 0) {
          return Status::InvalidArgument(mat + ".scale: must be finite and non-zero, got " +
                                         num(mc.scale()));
        }
        ms.scale = mc.scale();
      }
      if (!std::isfinite(mc.offset())) {
        return Status::InvalidArgument(mat + ".offset: must be finite");
      }
      ms.offset = mc.offset();
      if (mc.has_min()) ms.min = mc.min();
      if (mc.has_max()) ms.max = mc.max();
      if (ms.min && ms.max && *ms.max < *ms.min) {
        return Status::InvalidArgument(mat + ".max: must be >= min (" + num(*ms.min) + "), got " +
                                       num(*ms.max));
      }
      ms.is_fault_flag = mc.is_fault_flag();
      spec.by_raw.emplace(ms.raw_metric, spec.metrics.size());
      spec.metrics.push_back(std::move(ms));
    }
    mapper.profiles_.emplace(spec.name, std::move(spec));
  }
  return mapper;
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
  bool fault = false;
  for (std::size_t i = 0; i < profile.metrics.size(); ++i) {
    if (!raw[i]) {
      return reject(RejectReason::kMissingValue,
                    "metric \"" + profile.metrics[i].raw_metric + "\" is missing");
    }
    if (profile.metrics[i].is_fault_flag && *raw[i] != 0) fault = true;
  }
  out.readings.reserve(profile.metrics.size());
  for (std::size_t i = 0; i < profile.metrics.size(); ++i) {
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
