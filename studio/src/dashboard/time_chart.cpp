#include "dashboard/time_chart.hpp"

#include <QCategoryAxis>
#include <QDateTime>
#include <QLineSeries>
#include <QLocale>
#include <cmath>

namespace itc::studio {

TimeChart::TimeChart(const QString& title, Unit unit, StatsHistory::Metric metric, int nodes,
                     QWidget* parent)
    : QChartView(parent), metric_(metric), unit_(unit) {
  auto* chart = new QChart();
  chart->setTitle(title);
  chart->legend()->hide();
  chart->setMargins(QMargins(4, 4, 4, 4));
  x_ = new QCategoryAxis(chart);
  x_->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
  y_ = new QCategoryAxis(chart);
  y_->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
  chart->addAxis(x_, Qt::AlignBottom);
  chart->addAxis(y_, Qt::AlignLeft);
  network_ = new QLineSeries(chart);
  network_->setName(metric == StatsHistory::Metric::kCommitLatencyMs ? "network (worst node)"
                                                                     : "network");
  chart->addSeries(network_);
  network_->attachAxis(x_);
  network_->attachAxis(y_);
  for (int i = 0; i < nodes; ++i) {
    auto* s = new QLineSeries(chart);
    chart->addSeries(s);
    s->attachAxis(x_);
    s->attachAxis(y_);
    s->setVisible(false);
    nodes_.push_back(s);
  }
  setChart(chart);
  setRenderHint(QPainter::Antialiasing);
  set_value_scale(nice_scale(0));
  follow_palette();
}

void TimeChart::set_node_line(int i, const QString& name, const QColor& color) {
  QLineSeries* s = nodes_[static_cast<std::size_t>(i)];
  s->setName(name);
  QPen pen(color);
  pen.setWidthF(1.5);
  s->setPen(pen);
}

void TimeChart::set_node_visible(int i, bool visible) {
  nodes_[static_cast<std::size_t>(i)]->setVisible(visible);
}

bool TimeChart::node_visible(int i) const {
  return nodes_[static_cast<std::size_t>(i)]->isVisible();
}

void TimeChart::follow_palette() {
  const bool dark = palette().color(QPalette::Window).lightness() < 128;
  const QColor fg = palette().color(QPalette::WindowText);
  chart()->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
  chart()->setBackgroundBrush(palette().color(QPalette::Base));
  chart()->setTitleBrush(fg);
  for (QCategoryAxis* a : {x_, y_}) {
    a->setLabelsBrush(fg);
    a->setGridLineColor(dark ? QColor(0x44, 0x44, 0x44) : QColor(0xe0, 0xe0, 0xe0));
  }
  QPen pen(fg);
  pen.setWidthF(2.5);
  network_->setPen(pen);
  chart()->legend()->hide();
}

QString TimeChart::tick_label(double v, Unit unit) {
  if (unit == Unit::kMilliseconds) {
    if (v == 0) return "0";
    if (std::abs(v) >= 1000) return si_number(v / 1000) + " s";
    return si_number(v) + " ms";
  }
  return si_number(v);
}

void TimeChart::set_value_scale(const AxisScale& s) {
  if (s.top == scale_.top && s.step == scale_.step) return;
  scale_ = s;
  for (const QString& label : y_->categoriesLabels()) y_->remove(label);
  ticks_.clear();
  y_->setStartValue(0);
  for (int k = 0; k <= s.steps; ++k) {
    const double v = k * s.step;
    y_->append(tick_label(v, unit_), v);
    ticks_.push_back(v);
  }
  y_->setRange(0, s.top);
}

void TimeChart::set_time_range(double from_s, double to_s) {
  // Whole minutes: every minute up to 6 minutes shown, else every 5, 10 or 30.
  const double span_min = (to_s - from_s) / 60;
  double step = 60;
  for (double m : {1.0, 5.0, 10.0, 30.0, 60.0}) {
    step = m * 60;
    if (span_min / m <= 6) break;
  }
  const double first = std::ceil(from_s / step) * step;
  if (first != minutes_from_ || step != minute_step_ || to_s >= minutes_to_ + step) {
    minutes_from_ = first;
    minute_step_ = step;
    for (const QString& label : x_->categoriesLabels()) x_->remove(label);
    x_->setStartValue(from_s);
    const QLocale locale;
    double last = first;
    for (double t = first; t <= to_s; t += step) {
      const QTime time = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(t * 1000)).time();
      x_->append(locale.toString(time, QLocale::ShortFormat), t);
      last = t;
    }
    minutes_to_ = last;
  }
  x_->setStartValue(from_s);
  x_->setRange(from_s, to_s);
}

void TimeChart::update_from(const StatsHistory& history, double from_s, double to_s) {
  const int columns = std::max(100, static_cast<int>(chart()->plotArea().width()));
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
  set_value_scale(nice_scale(top * 1.05));
  set_time_range(from_s, to_s);
}

QStringList TimeChart::value_labels() const { return y_->categoriesLabels(); }
QStringList TimeChart::time_labels() const { return x_->categoriesLabels(); }

}  // namespace itc::studio
