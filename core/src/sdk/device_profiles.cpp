#include "itc/services/device_profiles.hpp"

namespace itc {

const std::string& raw_metric_of(const v1::MetricSpec& metric) {
  return metric.raw_metric().empty() ? metric.name() : metric.raw_metric();
}

const v1::MetricSpec* find_metric(const v1::DeviceProfile& profile, std::string_view name) {
  for (const v1::MetricSpec& m : profile.metrics()) {
    if (m.name() == name) return &m;
  }
  return nullptr;
}

double scaled_value(const v1::MetricSpec& metric, double raw) {
  const double scale = metric.has_scale() ? metric.scale() : 1.0;
  return raw * scale + metric.offset();
}

double raw_value_for(const v1::MetricSpec& metric, double value) {
  const double scale = metric.has_scale() ? metric.scale() : 1.0;
  return (value - metric.offset()) / scale;
}

const v1::ControlSpec* find_control(const v1::DeviceProfile& profile, v1::Action action) {
  for (const v1::ControlSpec& c : profile.controls()) {
    if (c.action() == action) return &c;
  }
  return nullptr;
}

}  // namespace itc
