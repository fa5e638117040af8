// TimeChart: one metric of the network over time — the network's line, and each node's
// line on demand — on round ticks: the value axis from 0 in 1-2-5 steps labelled with SI
// prefixes and the metric's unit, the time axis at whole minutes in the user's locale.
// Points are decimated to the plot's width (lowest and highest per pixel column), so 30
// minutes of history cost what fits on screen. No legend of its own: the dashboard shows
// one for its charts.
// Thread safety: GUI thread only.
#pragma once

#include <QChartView>
#include <vector>

#include "dashboard/axis_scale.hpp"
#include "dashboard/stats_history.hpp"

class QCategoryAxis;
class QLineSeries;

namespace itc::studio {

class TimeChart : public QChartView {
  Q_OBJECT

 public:
  enum class Unit { kPerSecond, kMilliseconds };

  TimeChart(const QString& title, Unit unit, StatsHistory::Metric metric, int nodes,
            QWidget* parent = nullptr);

  StatsHistory::Metric metric() const { return metric_; }
  // The line of node `i`, drawn in `color`; hidden until set_node_visible.
  void set_node_line(int i, const QString& name, const QColor& color);
  void set_node_visible(int i, bool visible);
  bool node_visible(int i) const;
  // Redraws from `history` over [from_s, to_s] (seconds since the epoch).
  void update_from(const StatsHistory& history, double from_s, double to_s);
  // Follows the desktop's light or dark palette.
  void follow_palette();

  // What the axes show now (for tests): the value axis' labels and their values.
  QStringList value_labels() const;
  std::vector<double> value_ticks() const { return ticks_; }
  QStringList time_labels() const;
  QLineSeries* network_line() const { return network_; }
  QLineSeries* node_line(int i) const { return nodes_[static_cast<std::size_t>(i)]; }
  // A tick's label, e.g. "20 k" for a rate, "1.5 s" for a latency.
  static QString tick_label(double v, Unit unit);

 private:
  void set_value_scale(const AxisScale& s);
  void set_time_range(double from_s, double to_s);

  StatsHistory::Metric metric_;
  Unit unit_;
  QCategoryAxis* x_;
  QCategoryAxis* y_;
  QLineSeries* network_;
  std::vector<QLineSeries*> nodes_;
  AxisScale scale_{0, 0, 0};
  std::vector<double> ticks_;
  double minutes_from_ = -1, minutes_to_ = -1, minute_step_ = 0;
};

}  // namespace itc::studio
