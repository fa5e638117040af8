// FleetChart: the fleet's state over time on one node — devices online, stale, offline
// and in fault — from the node's Event.stats (once a second), over the last 30 minutes, on
// round ticks. What the devices view shows while no device is selected.
// Thread safety: GUI thread only.
#pragma once

#include <QChartView>
#include <deque>
#include <memory>

#include "dashboard/round_axes.hpp"
#include "itc/v1/node.pb.h"

class QLineSeries;

namespace itc::studio {

class FleetChart : public QChartView {
  Q_OBJECT

 public:
  explicit FleetChart(QWidget* parent = nullptr);

  // Starts over (another node chosen).
  void reset(const QString& node_name);
  // The node's stats at `t_s` (seconds since the epoch).
  void add(double t_s, const v1::NodeStats& stats);
  // Points held per state line.
  int points() const { return static_cast<int>(samples_.size()); }
  const RoundAxes& axes() const { return *axes_; }

  static constexpr double kWindowS = 1800;

 protected:
  void changeEvent(QEvent* e) override;

 private:
  void redraw();

  struct Sample {
    double t_s;
    double online, stale, offline, fault;
  };
  std::unique_ptr<RoundAxes> axes_;
  QLineSeries* online_;
  QLineSeries* stale_;
  QLineSeries* offline_;
  QLineSeries* fault_;
  std::deque<Sample> samples_;
};

}  // namespace itc::studio
