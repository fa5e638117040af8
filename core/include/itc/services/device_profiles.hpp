// DeviceProfiles: the device models this node knows (schemas/itc/v1/profile.proto),
// loaded by the host from the files its config lists under `device_profiles:` and
// checked before any plugin starts. Provided by the host itself, so it is always there:
//   auto* profiles = env.services().find<itc::DeviceProfiles>();
//
// Thread safety: all methods may be called from any thread. A config apply that changes
// the profiles replaces the set atomically; a pointer already obtained keeps the profile
// it points to alive.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itc/export.hpp"
#include "itc/v1/profile.pb.h"

namespace itc {

class DeviceProfiles {
 public:
  static constexpr std::string_view kServiceName = "itc.device-profiles.v1";
  virtual ~DeviceProfiles() = default;

  // The profile named `name`, or null if the node has none of that name.
  virtual std::shared_ptr<const v1::DeviceProfile> find(std::string_view name) const = 0;

  // Every profile, sorted by name.
  virtual std::vector<std::shared_ptr<const v1::DeviceProfile>> all() const = 0;

  // Changes whenever the set is replaced, so a plugin can keep derived tables and
  // rebuild them only when needed.
  virtual std::uint64_t generation() const = 0;
};

// Helpers every plugin that reads a profile needs, so that all agree.

// The RawValue.metric a metric arrives as (`raw_metric`, else its name).
ITC_EXPORT const std::string& raw_metric_of(const v1::MetricSpec& metric);

// The metric of `profile` named `name`, or null.
ITC_EXPORT const v1::MetricSpec* find_metric(const v1::DeviceProfile& profile,
                                             std::string_view name);

// raw * scale + offset, and its inverse (for writing a command's value back).
ITC_EXPORT double scaled_value(const v1::MetricSpec& metric, double raw);
ITC_EXPORT double raw_value_for(const v1::MetricSpec& metric, double value);

// The control for `action`, or null if the model does not accept that action.
ITC_EXPORT const v1::ControlSpec* find_control(const v1::DeviceProfile& profile, v1::Action action);

// The metric's profile section `key` (e.g. "modbus"): a connection plugin's own message
// (marked (itc.v1.profile_section) = key in its config proto), which the host mapped from
// the profile's YAML with that plugin's schema. nullopt if the metric gives none. The
// bytes come from the plugin's own schema, so they parse; bytes that do not (a plugin
// hot-swapped to an incompatible Section) count as none.
template <class Section>
std::optional<Section> profile_section(const v1::MetricSpec& metric, const std::string& key) {
  auto it = metric.sources().find(key);
  if (it == metric.sources().end()) return std::nullopt;
  Section section;
  if (!section.ParseFromString(it->second)) return std::nullopt;
  return section;
}

}  // namespace itc
