// TimeChart: one metric of the network over time — the network's line, and each node's
// line on demand — on RoundAxes (values in 1-2-5 steps with SI prefixes and the unit, times
// at whole minutes in the user's locale). Points are decimated to the plot's width (lowest
// and highest per two pixel columns), so 30 minutes of history cost what fits on screen.
// Lines are drawn 1 px wide without antialiasing (the network's in the text colour, the
// nodes' in theirs): a wider or antialiased pen goes through Qt's path stroker, which took
// most of a frame (studio/README.md, Measurements). No legend of its own: the dashboard
// shows one for its charts.
// Thread safety: GUI thread only.
#pragma once

#include <QChartView>
#include <memory>
#include <vector>

#include "dashboard/round_axes.hpp"
#include "dashboard/stats_history.hpp"

class QLineSeries;

namespace itc::studio {

class TimeChart : public QChartView {
  Q_OBJECT

 public:
  // kCrisp: what Studio draws. kAntialiased: what it drew before (antialiased 2.5 px and
  // 1.5 px lines, points per pixel column), kept so dashboard_frame_bench compares both in
  // one run.
  enum class Rendering { kCrisp, kAntialiased };

  TimeChart(const QString& title, RoundAxes::Unit unit, StatsHistory::Metric metric, int nodes,
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
  void set_rendering(Rendering r);

  const RoundAxes& axes() const { return *axes_; }
  QLineSeries* network_line() const { return network_; }
  QLineSeries* node_line(int i) const { return nodes_[static_cast<std::size_t>(i)]; }

 private:
  void apply_pens();

  StatsHistory::Metric metric_;
  Rendering rendering_ = Rendering::kCrisp;
  std::vector<QColor> node_colors_;
  std::unique_ptr<RoundAxes> axes_;
  QLineSeries* network_;
  std::vector<QLineSeries*> nodes_;
};

// Applies the desktop's light or dark palette of `view` to its chart and axes.
void chart_follow_palette(QChartView* view, RoundAxes& axes);

}  // namespace itc::studio
