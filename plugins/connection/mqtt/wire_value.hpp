// WireValue: one value as a device put it on the wire (a JSON scalar or a Sparkplug
// metric value), before it is typed by the device profile into a v1::RawValue.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "itc/status.hpp"
#include "itc/v1/device.pb.h"
#include "itc/v1/profile.pb.h"

namespace itc::mqtt {

// monostate: null / no value; std::string: text (never a number, even "12").
using WireValue = std::variant<std::monostate, std::int64_t, double, bool, std::string>;

// "integer 12", "number 1.5", "boolean true", "text \"abc\"", "null".
std::string describe(const WireValue& value);

// Fills `out` (metric = the profile metric's raw_metric) typed as the profile says:
// INT -> raw_int (a whole number, or a boolean as 0/1), BOOL -> raw_bool (a boolean, or
// the number 0 or 1), DOUBLE -> raw_double (any finite number). Otherwise InvalidArgument
// saying what was wrong, e.g. "is text \"n/a\", not a number".
Status to_raw_value(const v1::MetricSpec& metric, const WireValue& value, v1::RawValue* out);

}  // namespace itc::mqtt
