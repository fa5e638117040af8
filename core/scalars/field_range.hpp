// A numeric config field's valid range, written once in its proto as the (itc.v1.range)
// field option (schemas/itc/v1/options.proto) and read from the field's descriptor by the
// host's config check (core/src/host/config_schema.cpp) and Studio's config forms
// (studio/src/config/config_fields.cpp), so both refuse the same values with the same
// words. Works on descriptors of any pool, generated or built from a plugin's embedded
// descriptor set.
// Thread safety: pure functions.
#pragma once

#include <google/protobuf/descriptor.h>

#include <optional>
#include <string>

namespace itc::config {

struct FieldRange {
  std::optional<double> min;
  std::optional<double> max;

  bool contains(double value) const { return (!min || value >= *min) && (!max || value <= *max); }
  // "1..100000", "at least 100", "at most 10".
  std::string text() const;
};

// The field's (itc.v1.range), or nullopt if it declares none (or one with no bound).
std::optional<FieldRange> range_of(const google::protobuf::FieldDescriptor& field);

// "must be 1..100000, got 0": what a value outside `range` is told; `got` is the value as
// written.
std::string out_of_range(const FieldRange& range, const std::string& got);

}  // namespace itc::config
