// DashboardView: the network at a glance — a header strip with what an operator checks
// first (validators up of n and faults left, view and primary, height, finality, devices,
// plugins failed), the alarm list, the node table, and charts of the network's committed
// tx/s, readings/s and worst commit latency over the last 5 or 30 minutes, each node's own
// line on demand (the legend's check boxes). Fed by each node's Event.stats (once a
// second); the charts redraw at most twice a second.
// Thread safety: GUI thread only.
#pragma once

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>
#include <functional>
#include <vector>

#include "dashboard/node_table_model.hpp"
#include "dashboard/stats_history.hpp"

class QCheckBox;
class QComboBox;
class QTableView;

namespace itc::studio {

class AlarmList;
class AlarmMonitor;
class StatusStrip;
class TimeChart;

// Line colours for nodes: the Okabe–Ito palette, told apart with colour-blindness too.
QColor node_color(int i);

class DashboardView : public QWidget {
  Q_OBJECT

 public:
  explicit DashboardView(NetworkSession* session, QWidget* parent = nullptr);

  QTableView* node_table() const { return table_; }
  NodeTableModel* model() const { return model_; }
  const StatsHistory& history() const { return history_; }
  StatusStrip* strip() const { return strip_; }
  AlarmMonitor* alarms() const { return monitor_; }
  AlarmList* alarm_list() const { return alarm_list_; }
  const std::vector<TimeChart*>& charts() const { return charts_; }
  // The legend's check box of node i (its line on every chart).
  QCheckBox* node_toggle(int i) const { return toggles_[static_cast<std::size_t>(i)]; }
  // Shows the last `seconds` of history (300 or 1800 in the range box).
  void set_range_s(int seconds);
  // Milliseconds the last chart redraw took (for the frame-time measurement).
  double last_update_ms() const { return last_update_ms_; }
  // Redraws the charts and the header strip now (else done after stats, batched).
  void redraw();
  // The clock (ms since the epoch) that stamps stats; the benchmark replays history with
  // its own. Default: the wall clock.
  void set_clock(std::function<qint64()> now_ms) { now_ms_ = std::move(now_ms); }

 protected:
  void changeEvent(QEvent* e) override;

 private:
  QWidget* make_legend();
  void show_summary();
  void on_stats(int node, const v1::NodeStats& stats);

  NetworkSession* session_;
  NodeTableModel* model_;
  QTableView* table_;
  StatusStrip* strip_;
  AlarmMonitor* monitor_;
  AlarmList* alarm_list_;
  QComboBox* range_;
  StatsHistory history_;
  std::vector<TimeChart*> charts_;
  std::vector<QCheckBox*> toggles_;
  QTimer redraw_timer_;
  std::function<qint64()> now_ms_;
  int range_s_ = 300;
  double last_update_ms_ = 0;
};

}  // namespace itc::studio
