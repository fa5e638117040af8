#include "dashboard/time_chart.hpp"

#include <QLineSeries>

namespace itc::studio {

void chart_follow_palette(QChartView* view, RoundAxes& axes) {
  const QPalette& p = view->palette();
  const bool dark = p.color(QPalette::Window).lightness() < 128;
  QChart* chart = view->chart();
  const bool legend = chart->legend()->isVisible();
  chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
  chart->legend()->setVisible(legend);
  chart->setBackgroundBrush(p.color(QPalette::Base));
  chart->setTitleBrush(p.color(QPalette::WindowText));
  chart->legend()->setLabelColor(p.color(QPalette::WindowText));
  axes.set_label_color(p.color(QPalette::WindowText),
                       dark ? QColor(0x44, 0x44, 0x44) : QColor(0xe0, 0xe0, 0xe0));
}

TimeChart::TimeChart(const QString& title, RoundAxes::Unit unit, StatsHistory::Metric metric,
                     int nodes, QWidget* parent)
    : QChartView(parent), metric_(metric) {
  auto* chart = new QChart();
  chart->setTitle(title);
  chart->legend()->hide();
  chart->setMargins(QMargins(4, 4, 4, 4));
  axes_ = std::make_unique<RoundAxes>(chart, unit);
  network_ = new QLineSeries(chart);
  network_->setName(metric == StatsHistory::Metric::kCommitLatencyMs ||
                            metric == StatsHistory::Metric::kCommitLatencyP99Ms
                        ? "network (worst node)"
                        : "network");
  chart->addSeries(network_);
  axes_->attach(network_);
  for (int i = 0; i < nodes; ++i) {
    auto* s = new QLineSeries(chart);
    chart->addSeries(s);
    axes_->attach(s);
    s->setVisible(false);
    nodes_.push_back(s);
  }
  node_colors_.resize(static_cast<std::size_t>(nodes));
  setChart(chart);
  // The chart's items draw themselves in full; the view need not save or pad for them.
  setOptimizationFlags(QGraphicsView::DontSavePainterState |
                       QGraphicsView::DontAdjustForAntialiasing);
  follow_palette();
}

void TimeChart::set_rendering(Rendering r) {
  rendering_ = r;
  setRenderHint(QPainter::Antialiasing, r == Rendering::kAntialiased);
  apply_pens();
}

void TimeChart::set_node_line(int i, const QString& name, const QColor& color) {
  nodes_[static_cast<std::size_t>(i)]->setName(name);
  node_colors_[static_cast<std::size_t>(i)] = color;
  apply_pens();
}

void TimeChart::apply_pens() {
  const bool smooth = rendering_ == Rendering::kAntialiased;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    QPen pen(node_colors_[i]);
    pen.setWidthF(smooth ? 1.5 : 1);
    nodes_[i]->setPen(pen);
  }
  QPen pen(palette().color(QPalette::WindowText));
  pen.setWidthF(smooth ? 2.5 : 1);
  network_->setPen(pen);
}

void TimeChart::set_node_visible(int i, bool visible) {
  nodes_[static_cast<std::size_t>(i)]->setVisible(visible);
}

bool TimeChart::node_visible(int i) const {
  return nodes_[static_cast<std::size_t>(i)]->isVisible();
}

void TimeChart::follow_palette() {
  chart_follow_palette(this, *axes_);  // the theme resets the series' pens
  apply_pens();
}

void TimeChart::update_from(const StatsHistory& history, double from_s, double to_s) {
  const int width = std::max(100, static_cast<int>(chart()->plotArea().width()));
  const int columns = rendering_ == Rendering::kCrisp ? width / 2 : width;
  double top = 0;
  auto draw = [&](QLineSeries* s, const QList<QPointF>& points) {
    const QList<QPointF> shown = StatsHistory::decimate(points, 2 * columns);
    for (const QPointF& p : shown) top = std::max(top, p.y());
    s->replace(shown);
  };
  draw(network_, history.network_points(metric_, from_s));
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i]->isVisible()) {
      draw(nodes_[i], history.points(static_cast<int>(i), metric_, from_s));
    } else if (nodes_[i]->count() > 0) {
      nodes_[i]->clear();
    }
  }
  axes_->fit_values(top);
  axes_->set_time_range(from_s, to_s);
}

}  // namespace itc::studio
