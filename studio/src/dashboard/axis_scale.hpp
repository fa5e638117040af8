// AxisScale: round numbers for a chart's value axis — 0 to a top that is a whole number of
// steps, each step 1, 2 or 5 times a power of ten — and labels with SI prefixes
// ("0", "250", "1.5 k", "20 k", "2 M"), so ticks read 10 k, 20 k, 30 k and never 37967.9.
// Thread safety: pure functions.
#pragma once

#include <QString>

namespace itc::studio {

struct AxisScale {
  double top = 1;   // the axis runs from 0 to top
  double step = 1;  // between two ticks: 1, 2 or 5 × 10^k
  int steps = 1;    // top / step
};

// The smallest 1-2-5 scale from 0 that holds `max_value` in at most `max_steps` steps.
// A max_value of 0 or less (or not finite) gives 0..1 in one step.
AxisScale nice_scale(double max_value, int max_steps = 5);

// `v` with an SI prefix (k, M, G, T) and at most 3 significant digits, in the user's locale:
// 1500 → "1.5 k", 20000 → "20 k", 0.5 → "0.5".
QString si_number(double v);

}  // namespace itc::studio
