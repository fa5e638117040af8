#include "dashboard/axis_scale.hpp"

#include <QLocale>
#include <cmath>

namespace itc::studio {

AxisScale nice_scale(double max_value, int max_steps) {
  if (!std::isfinite(max_value) || max_value <= 0 || max_steps < 1) return {};
  const double raw = max_value / max_steps;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude * 10;
  for (double m : {1.0, 2.0, 5.0}) {
    if (raw <= m * magnitude * (1 + 1e-9)) {
      step = m * magnitude;
      break;
    }
  }
  const int steps = std::max(1, static_cast<int>(std::ceil(max_value / step - 1e-9)));
  return {steps * step, step, steps};
}

QString si_number(double v) {
  static constexpr struct {
    double factor;
    const char* prefix;
  } kPrefixes[] = {{1e12, " T"}, {1e9, " G"}, {1e6, " M"}, {1e3, " k"}};
  QLocale locale;
  locale.setNumberOptions(locale.numberOptions() & ~QLocale::OmitGroupSeparator);
  for (const auto& p : kPrefixes) {
    if (std::abs(v) >= p.factor) return locale.toString(v / p.factor, 'g', 3) + p.prefix;
  }
  if (v == 0) return "0";
  return locale.toString(v, 'g', 3);
}

}  // namespace itc::studio
