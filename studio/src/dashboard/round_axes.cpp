#include "dashboard/round_axes.hpp"

#include <QCategoryAxis>
#include <QChart>
#include <QDateTime>
#include <QLocale>
#include <QXYSeries>
#include <cmath>

namespace itc::studio {

RoundAxes::RoundAxes(QChart* chart, Unit unit) : unit_(unit) {
  x_ = new QCategoryAxis(chart);
  x_->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
  y_ = new QCategoryAxis(chart);
  y_->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
  chart->addAxis(x_, Qt::AlignBottom);
  chart->addAxis(y_, Qt::AlignLeft);
  fit_values(0);
}

void RoundAxes::attach(QXYSeries* series) const {
  series->attachAxis(x_);
  series->attachAxis(y_);
}

void RoundAxes::set_label_color(const QColor& text, const QColor& grid) {
  for (QCategoryAxis* a : {x_, y_}) {
    a->setLabelsBrush(text);
    a->setGridLineColor(grid);
  }
}

QString RoundAxes::tick_label(double v, Unit unit) {
  if (unit == Unit::kMilliseconds) {
    if (v == 0) return "0";
    if (std::abs(v) >= 1000) return si_number(v / 1000) + " s";
    return si_number(v) + " ms";
  }
  return si_number(v);
}

void RoundAxes::fit_values(double max_value) {
  const AxisScale s = nice_scale(max_value * 1.05);
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

void RoundAxes::set_time_range(double from_s, double to_s) {
  // Whole minutes: every minute up to 6 minutes shown, else every 5, 10, 30 or 60.
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

QStringList RoundAxes::value_labels() const { return y_->categoriesLabels(); }
QStringList RoundAxes::time_labels() const { return x_->categoriesLabels(); }

}  // namespace itc::studio
