#include "wire_value.hpp"

#include <charconv>
#include <cmath>

#include "itc/services/device_profiles.hpp"

namespace itc::mqtt {
namespace {

constexpr double kTwo63 = 9223372036854775808.0;

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

}  // namespace

std::string describe(const WireValue& value) {
  return std::visit(Overload{
                        [](std::monostate) -> std::string { return "null"; },
                        [](std::int64_t v) { return "integer " + std::to_string(v); },
                        [](double v) {
                          char buf[32];
                          auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
                          return "number " + std::string(buf, ec == std::errc() ? end : buf);
                        },
                        [](bool v) -> std::string { return v ? "boolean true" : "boolean false"; },
                        [](const std::string& v) {
                          return "text \"" + v.substr(0, 40) + (v.size() > 40 ? "…" : "") + "\"";
                        },
                    },
                    value);
}

Status to_raw_value(const v1::MetricSpec& metric, const WireValue& value, v1::RawValue* out) {
  out->Clear();
  out->set_metric(raw_metric_of(metric));
  if (std::holds_alternative<std::monostate>(value) || std::holds_alternative<std::string>(value)) {
    return Status::InvalidArgument("is " + describe(value) + ", not a number");
  }
  if (const double* d = std::get_if<double>(&value); d != nullptr && !std::isfinite(*d)) {
    return Status::InvalidArgument("is not a finite number");
  }
  switch (metric.type()) {
    case v1::VALUE_TYPE_INT:
      if (const auto* i = std::get_if<std::int64_t>(&value)) {
        out->set_raw_int(*i);
      } else if (const auto* b = std::get_if<bool>(&value)) {
        out->set_raw_int(*b ? 1 : 0);
      } else {
        const double d = std::get<double>(value);
        if (d != std::trunc(d) || d < -kTwo63 || d >= kTwo63) {
          return Status::InvalidArgument("is " + describe(value) + ", not a whole number");
        }
        out->set_raw_int(static_cast<std::int64_t>(d));
      }
      return Status::Ok();
    case v1::VALUE_TYPE_BOOL:
      if (const auto* b = std::get_if<bool>(&value)) {
        out->set_raw_bool(*b);
      } else {
        const double d = std::holds_alternative<std::int64_t>(value)
                             ? static_cast<double>(std::get<std::int64_t>(value))
                             : std::get<double>(value);
        if (d != 0.0 && d != 1.0) {
          return Status::InvalidArgument("is " + describe(value) + ", not a boolean (or 0/1)");
        }
        out->set_raw_bool(d == 1.0);
      }
      return Status::Ok();
    default:
      if (const auto* i = std::get_if<std::int64_t>(&value)) {
        out->set_raw_double(static_cast<double>(*i));
      } else if (const auto* b = std::get_if<bool>(&value)) {
        out->set_raw_double(*b ? 1.0 : 0.0);
      } else {
        out->set_raw_double(std::get<double>(value));
      }
      return Status::Ok();
  }
}

}  // namespace itc::mqtt
