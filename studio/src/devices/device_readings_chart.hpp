// DeviceReadingsChart: a live chart of one device's readings, one line per metric, from
// the DeviceStatus snapshots the devices view fetches once a second while the device is
// selected. A reading is plotted once (by its sample time), so polling faster than the
// device reports adds no points.
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

  static constexpr double kWindowS = 120;

 private:
  struct Line {
    QLineSeries* series = nullptr;
    std::int64_t last_sample_us = 0;
  };
  QValueAxis* x_;
  QValueAxis* y_;
  QHash<QString, Line> lines_;
  std::int64_t origin_us_ = 0;
  double y_max_ = 1;
};

}  // namespace itc::studio
