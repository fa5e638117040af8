// DeviceReadingsChart: a live chart of one device's readings, one line per metric, from
// the DeviceStatus snapshots the devices view fetches once a second while the device is
// selected. A reading is plotted once (by its sample time), so polling faster than the
// device reports adds no points. Each unit has its own value axis (% and W do not share
// one), titled by the unit, from 0 on round 1-2-5 ticks; the first on the left, the next
// on the right, and so on alternately.
// Thread safety: GUI thread only.
#pragma once

#include <QChartView>
#include <QHash>

#include "itc/v1/device.pb.h"

class QLineSeries;
class QValueAxis;

namespace itc::studio {

class DeviceReadingsChart : public QChartView {
  Q_OBJECT

 public:
  explicit DeviceReadingsChart(QWidget* parent = nullptr);

  // Starts over for another device.
  void reset(const QString& device_id);
  // Adds the snapshot's latest readings that are newer than those already plotted.
  void add(const v1::DeviceStatus& status);
  // The newest plotted value of `metric`, if any.
  std::optional<double> latest(const QString& metric) const;
  int points(const QString& metric) const;
  // The units that have an axis, in the order they came ("" for readings without a unit).
  QStringList units() const { return unit_order_; }
  // The value axis of `unit` (nullptr if none) and of `metric`'s line.
  QValueAxis* unit_axis(const QString& unit) const { return axes_.value(unit).axis; }
  QValueAxis* metric_axis(const QString& metric) const;

  static constexpr double kWindowS = 120;

 private:
  struct Line {
    QLineSeries* series = nullptr;
    QString unit;
    std::int64_t last_sample_us = 0;
  };
  struct UnitAxis {
    QValueAxis* axis = nullptr;
    double max = 0;  // the largest value plotted on it
  };
  UnitAxis& axis_for(const QString& unit);

  QValueAxis* x_;
  QHash<QString, Line> lines_;
  QHash<QString, UnitAxis> axes_;
  QStringList unit_order_;
  std::int64_t origin_us_ = 0;
};

}  // namespace itc::studio
