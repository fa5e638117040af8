// RoundAxes: a chart's time axis (bottom) and value axis (left) on round ticks — values from
// 0 in 1-2-5 steps labelled with SI prefixes and the unit ("20 k", "500 ms", "1.5 s"),
// times at whole minutes in the user's locale — rebuilt only when the ticks change.
// Thread safety: GUI thread only.
#pragma once

#include <QColor>
#include <QStringList>
#include <vector>

#include "dashboard/axis_scale.hpp"

class QCategoryAxis;
class QChart;
class QXYSeries;

namespace itc::studio {

class RoundAxes {
 public:
  enum class Unit { kCount, kMilliseconds };

  // Adds both axes to `chart` (which owns them).
  RoundAxes(QChart* chart, Unit unit);

  void attach(QXYSeries* series) const;
  // The value axis from 0 to the round top that holds `max_value`.
  void fit_values(double max_value);
  // The time axis over [from_s, to_s] (seconds since the epoch).
  void set_time_range(double from_s, double to_s);
  void set_label_color(const QColor& text, const QColor& grid);

  QStringList value_labels() const;
  const std::vector<double>& value_ticks() const { return ticks_; }
  QStringList time_labels() const;
  // A tick's label, e.g. "20 k" for a count, "1.5 s" for a latency.
  static QString tick_label(double v, Unit unit);

 private:
  Unit unit_;
  QCategoryAxis* x_;
  QCategoryAxis* y_;
  AxisScale scale_{0, 0, 0};
  std::vector<double> ticks_;
  double minutes_from_ = -1, minutes_to_ = -1, minute_step_ = 0;
};

}  // namespace itc::studio
