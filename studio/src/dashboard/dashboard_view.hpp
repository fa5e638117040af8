// DashboardView: the network at a glance — the node table and live charts of committed
// tx/s, readings/s and commit latency over the last minutes, one line per node, fed by
// each node's Event.stats (once a second).
// Thread safety: GUI thread only.
#pragma once

#include <QElapsedTimer>
#include <QWidget>

#include "dashboard/node_table_model.hpp"
#include "dashboard/stats_history.hpp"

class QChart;
class QChartView;
class QLineSeries;
class QTableView;
class QValueAxis;

namespace itc::studio {

class DashboardView : public QWidget {
  Q_OBJECT

 public:
  explicit DashboardView(NetworkSession* session, QWidget* parent = nullptr);

  QTableView* node_table() const { return table_; }
  NodeTableModel* model() const { return model_; }
  const StatsHistory& history() const { return history_; }
  // Milliseconds the last chart update took (for the frame-time measurement).
  double last_update_ms() const { return last_update_ms_; }

 private:
  struct Chart {
    StatsHistory::Metric metric;
    QChart* chart = nullptr;
    QValueAxis* x = nullptr;
    QValueAxis* y = nullptr;
    std::vector<QLineSeries*> series;  // one per node
  };
  Chart make_chart(const QString& title, const QString& unit, StatsHistory::Metric m);
  void on_stats(int node, const v1::NodeStats& stats);

  NetworkSession* session_;
  NodeTableModel* model_;
  QTableView* table_;
  StatsHistory history_;
  std::vector<Chart> charts_;
  QElapsedTimer clock_;
  double last_update_ms_ = 0;
};

}  // namespace itc::studio
