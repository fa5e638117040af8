#include "field_range.hpp"

#include <cmath>
#include <cstdio>

#include "itc/v1/options.pb.h"

namespace itc::config {
namespace {

// 100000, 0.5, 1e+30: integers without a fraction, other numbers as %g.
std::string number(double v) {
  char buf[32];
  if (std::fabs(v) < 1e15 && v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%g", v);
  }
  return buf;
}

}  // namespace

std::string FieldRange::text() const {
  if (min && max) return number(*min) + ".." + number(*max);
  if (min) return "at least " + number(*min);
  if (max) return "at most " + number(*max);
  return "any value";
}

std::optional<FieldRange> range_of(const google::protobuf::FieldDescriptor& field) {
  // The option is parsed into FieldOptions as an extension because options.pb.cc (linked
  // here) registers itc.v1.range with the generated pool, whichever pool `field` is from.
  if (!field.options().HasExtension(v1::range)) return std::nullopt;
  const v1::ValueRange& r = field.options().GetExtension(v1::range);
  if (!r.has_min() && !r.has_max()) return std::nullopt;
  FieldRange out;
  if (r.has_min()) out.min = r.min();
  if (r.has_max()) out.max = r.max();
  return out;
}

std::string out_of_range(const FieldRange& range, const std::string& got) {
  return "must be " + range.text() + ", got " + got;
}

}  // namespace itc::config
