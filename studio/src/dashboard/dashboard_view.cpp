#include "dashboard/dashboard_view.hpp"

#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QHeaderView>
#include <QLineSeries>
#include <QTableView>
#include <QTimer>
#include <QValueAxis>

namespace itc::studio {

DashboardView::DashboardView(NetworkSession* session, QWidget* parent)
    : QWidget(parent), session_(session) {
  model_ = new NodeTableModel(session, this);
  table_ = new QTableView(this);
  table_->setObjectName("nodeTable");
  table_->setModel(model_);
  table_->horizontalHeader()->setSectionResizeMode(NodeTableModel::kHealth, QHeaderView::Stretch);
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);

  auto* grid = new QGridLayout(this);
  grid->addWidget(table_, 0, 0, 1, 3);
  charts_.push_back(
      make_chart("Committed transactions", "tx/s", StatsHistory::Metric::kCommittedTxPerS));
  charts_.push_back(
      make_chart("Readings committed", "readings/s", StatsHistory::Metric::kReadingsPerS));
  charts_.push_back(
      make_chart("Commit latency (last block)", "ms", StatsHistory::Metric::kCommitLatencyMs));
  for (int c = 0; c < static_cast<int>(charts_.size()); ++c) {
    auto* view = new QChartView(charts_[static_cast<std::size_t>(c)].chart, this);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    grid->addWidget(view, 1, c);
  }
  grid->setRowStretch(0, 1);
  grid->setRowStretch(1, 2);
  clock_.start();
  connect(session, &NetworkSession::stats_received, this, &DashboardView::on_stats);
  // The "no stats for N s" health text ages even when no event comes.
  auto* tick = new QTimer(this);
  connect(tick, &QTimer::timeout, this, [this] {
    if (model_->rowCount() > 0) {
      emit model_->dataChanged(model_->index(0, NodeTableModel::kHealth),
                               model_->index(model_->rowCount() - 1, NodeTableModel::kHealth));
    }
  });
  tick->start(1000);
}

DashboardView::Chart DashboardView::make_chart(const QString& title, const QString& unit,
                                               StatsHistory::Metric m) {
  Chart c;
  c.metric = m;
  c.chart = new QChart();
  c.chart->setTitle(title);
  c.chart->legend()->setAlignment(Qt::AlignBottom);
  c.x = new QValueAxis(c.chart);
  c.x->setTitleText("seconds");
  c.x->setLabelFormat("%d");
  c.x->setRange(0, history_.window());
  c.y = new QValueAxis(c.chart);
  c.y->setTitleText(unit);
  c.y->setRange(0, 1);
  c.chart->addAxis(c.x, Qt::AlignBottom);
  c.chart->addAxis(c.y, Qt::AlignLeft);
  for (int i = 0; i < session_->node_count(); ++i) {
    auto* s = new QLineSeries(c.chart);
    s->setName(session_->node_name(i));
    c.chart->addSeries(s);
    s->attachAxis(c.x);
    s->attachAxis(c.y);
    c.series.push_back(s);
  }
  return c;
}

void DashboardView::on_stats(int node, const v1::NodeStats& stats) {
  QElapsedTimer t;
  t.start();
  const double now = static_cast<double>(clock_.elapsed()) / 1000.0;
  history_.add(node, now, stats);
  const double left = std::max(0.0, now - history_.window());
  for (Chart& c : charts_) {
    if (node < static_cast<int>(c.series.size())) {
      c.series[static_cast<std::size_t>(node)]->setName(session_->node_name(node));
      c.series[static_cast<std::size_t>(node)]->replace(history_.points(node, c.metric));
    }
    c.x->setRange(left, std::max(left + history_.window(), now));
    c.y->setRange(0, std::max(1.0, history_.max_value(c.metric) * 1.15));
  }
  last_update_ms_ = static_cast<double>(t.nsecsElapsed()) / 1e6;
}

}  // namespace itc::studio
