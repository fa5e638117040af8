#include "dashboard/dashboard_view.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QTableView>

#include "app/readable_table.hpp"
#include "dashboard/alarm_list.hpp"
#include "dashboard/alarm_monitor.hpp"
#include "dashboard/status_strip.hpp"
#include "dashboard/time_chart.hpp"

namespace itc::studio {

QColor node_color(int i) {
  static const QColor kColors[] = {QColor(0x00, 0x72, 0xb2), QColor(0xe6, 0x9f, 0x00),
                                   QColor(0x00, 0x9e, 0x73), QColor(0xd5, 0x5e, 0x00),
                                   QColor(0xcc, 0x79, 0xa7), QColor(0x56, 0xb4, 0xe9)};
  return kColors[i % 6];
}

namespace {
QIcon swatch(const QColor& c) {
  QPixmap p(14, 4);
  p.fill(c);
  return QIcon(p);
}
}  // namespace

DashboardView::DashboardView(NetworkSession* session, QWidget* parent)
    : QWidget(parent),
      session_(session),
      now_ms_([] { return QDateTime::currentMSecsSinceEpoch(); }) {
  strip_ = new StatusStrip(this);
  monitor_ = new AlarmMonitor(session, this);
  alarm_list_ = new AlarmList(monitor_, this);

  model_ = new NodeTableModel(session, this);
  table_ = new QTableView(this);
  table_->setObjectName("nodeTable");
  table_->setModel(model_);
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  ReadableTable::apply(table_,
                       {NodeTableModel::kNode, NodeTableModel::kHealth, NodeTableModel::kHeight},
                       NodeTableModel::kVersion);

  const int n = session->node_count();
  charts_.push_back(new TimeChart("Committed transactions (tx/s)", RoundAxes::Unit::kCount,
                                  StatsHistory::Metric::kCommittedTxPerS, n, this));
  charts_.push_back(new TimeChart("Readings committed (readings/s)", RoundAxes::Unit::kCount,
                                  StatsHistory::Metric::kReadingsPerS, n, this));
  charts_.push_back(new TimeChart("Commit latency p99 (5 min), worst node",
                                  RoundAxes::Unit::kMilliseconds,
                                  StatsHistory::Metric::kCommitLatencyP99Ms, n, this));
  for (TimeChart* c : charts_) {
    c->setMinimumHeight(220);
    for (int i = 0; i < n; ++i) c->set_node_line(i, session->node_name(i), node_color(i));
  }

  auto* grid = new QGridLayout(this);
  grid->addWidget(strip_, 0, 0, 1, 3);
  grid->addWidget(table_, 1, 0, 1, 2);
  grid->addWidget(alarm_list_, 1, 2);
  grid->addWidget(make_legend(), 2, 0, 1, 3);
  for (int c = 0; c < static_cast<int>(charts_.size()); ++c) {
    grid->addWidget(charts_[static_cast<std::size_t>(c)], 3, c);
  }
  grid->setRowStretch(1, 1);
  grid->setRowStretch(3, 3);

  connect(session, &NetworkSession::stats_received, this, &DashboardView::on_stats);
  connect(session, &NetworkSession::node_changed, this, [this](int i) {
    const QString name = session_->node_name(i);
    if (toggles_[static_cast<std::size_t>(i)]->text() != name) {
      toggles_[static_cast<std::size_t>(i)]->setText(name);
      for (TimeChart* c : charts_) c->set_node_line(i, name, node_color(i));
    }
    show_summary();
  });
  redraw_timer_.setSingleShot(true);
  redraw_timer_.setInterval(500);
  connect(&redraw_timer_, &QTimer::timeout, this, &DashboardView::redraw);
  // The header strip and the "no stats for N s" health text age even when no event comes.
  auto* tick = new QTimer(this);
  connect(tick, &QTimer::timeout, this, [this] {
    show_summary();
    if (model_->rowCount() > 0) {
      emit model_->dataChanged(model_->index(0, NodeTableModel::kHealth),
                               model_->index(model_->rowCount() - 1, NodeTableModel::kHealth));
    }
  });
  tick->start(1000);
  show_summary();
}

QWidget* DashboardView::make_legend() {
  auto* legend = new QWidget(this);
  auto* row = new QHBoxLayout(legend);
  row->setContentsMargins(0, 0, 0, 0);
  auto* network = new QLabel(QString::fromUtf8("━ network (median of the nodes; latency: the worst "
                                               "node's p99)"),
                             legend);
  network->setToolTip(
      "Every validator commits every block: the network's rate is the median of what the "
      "nodes report each second; its latency the worst node's p99 over the last 5 minutes of "
      "its once-a-second reports of its last block's commit latency");
  row->addWidget(network);
  row->addSpacing(12);
  row->addWidget(new QLabel("Per node:", legend));
  for (int i = 0; i < session_->node_count(); ++i) {
    auto* box = new QCheckBox(session_->node_name(i), legend);
    box->setObjectName(QString("nodeLine%1").arg(i));
    box->setIcon(swatch(node_color(i)));
    box->setToolTip("Show this node's own line on every chart");
    connect(box, &QCheckBox::toggled, this, [this, i](bool on) {
      for (TimeChart* c : charts_) c->set_node_visible(i, on);
      redraw();
    });
    row->addWidget(box);
    toggles_.push_back(box);
  }
  row->addStretch(1);
  range_ = new QComboBox(legend);
  range_->setObjectName("chartRange");
  range_->addItem("last 5 minutes", 300);
  range_->addItem("last 30 minutes", 1800);
  connect(range_, &QComboBox::currentIndexChanged, this, [this] {
    range_s_ = range_->currentData().toInt();
    redraw();
  });
  row->addWidget(range_);
  return legend;
}

void DashboardView::set_range_s(int seconds) {
  const int i = range_->findData(seconds);
  if (i >= 0) range_->setCurrentIndex(i);
}

void DashboardView::on_stats(int node, const v1::NodeStats& stats) {
  history_.add(node, static_cast<double>(now_ms_()) / 1000.0, stats);
  if (!redraw_timer_.isActive()) redraw_timer_.start();
}

void DashboardView::redraw() {
  QElapsedTimer t;
  t.start();
  redraw_timer_.stop();
  const double now = static_cast<double>(now_ms_()) / 1000.0;
  const double to = std::max(now, history_.latest_time());
  for (TimeChart* c : charts_) c->update_from(history_, to - range_s_, to);
  show_summary();
  last_update_ms_ = static_cast<double>(t.nsecsElapsed()) / 1e6;
}

void DashboardView::show_summary() {
  strip_->show_summary(
      summarize(*session_, QDateTime::currentMSecsSinceEpoch(), monitor_->metrics()));
}

void DashboardView::changeEvent(QEvent* e) {
  if (e->type() == QEvent::PaletteChange) {
    for (TimeChart* c : charts_) c->follow_palette();
  }
  QWidget::changeEvent(e);
}

}  // namespace itc::studio
