#include "devices/device_readings_chart.hpp"

#include <QChart>
#include <QLineSeries>
#include <QValueAxis>

#include "dashboard/axis_scale.hpp"

namespace itc::studio {

DeviceReadingsChart::DeviceReadingsChart(QWidget* parent) : QChartView(new QChart(), parent) {
  setRenderHint(QPainter::Antialiasing);
  x_ = new QValueAxis(chart());
  x_->setTitleText("seconds");
  x_->setLabelFormat("%d");
  x_->setRange(0, kWindowS);
  chart()->addAxis(x_, Qt::AlignBottom);
  chart()->legend()->setAlignment(Qt::AlignBottom);
  chart()->setTitle("Readings");
}

void DeviceReadingsChart::reset(const QString& device_id) {
  for (Line& l : lines_) {
    chart()->removeSeries(l.series);
    delete l.series;
  }
  lines_.clear();
  for (UnitAxis& a : axes_) {
    chart()->removeAxis(a.axis);
    delete a.axis;
  }
  axes_.clear();
  unit_order_.clear();
  origin_us_ = 0;
  x_->setRange(0, kWindowS);
  chart()->setTitle(device_id.isEmpty() ? "Readings" : "Readings of " + device_id);
}

void DeviceReadingsChart::add(const v1::DeviceStatus& status) {
  double newest = 0;
  for (const v1::Reading& r : status.last_readings()) {
    if (origin_us_ == 0) origin_us_ = r.sampled_at_us();
    const QString metric = QString::fromStdString(r.metric());
    auto it = lines_.find(metric);
    if (it == lines_.end()) {
      Line l;
      l.unit = QString::fromStdString(r.unit());
      l.series = new QLineSeries(chart());
      l.series->setName(l.unit.isEmpty() ? metric : QString("%1 (%2)").arg(metric, l.unit));
      chart()->addSeries(l.series);
      l.series->attachAxis(x_);
      l.series->attachAxis(axis_for(l.unit).axis);
      it = lines_.insert(metric, l);
    }
    if (r.sampled_at_us() <= it->last_sample_us) continue;
    it->last_sample_us = r.sampled_at_us();
    const double t = static_cast<double>(r.sampled_at_us() - origin_us_) / 1e6;
    it->series->append(t, r.value());
    while (it->series->count() > 0 && it->series->at(0).x() < t - kWindowS) it->series->remove(0);
    newest = std::max(newest, t);
    UnitAxis& a = axis_for(it->unit);
    if (r.value() > a.max) {
      a.max = r.value();
      const AxisScale scale = nice_scale(a.max * 1.05);
      a.axis->setRange(0, scale.top);
      a.axis->setTickCount(scale.steps + 1);
    }
  }
  if (newest > kWindowS) x_->setRange(newest - kWindowS, newest);
}

DeviceReadingsChart::UnitAxis& DeviceReadingsChart::axis_for(const QString& unit) {
  auto it = axes_.find(unit);
  if (it != axes_.end()) return *it;
  UnitAxis a;
  a.axis = new QValueAxis(chart());
  a.axis->setTitleText(unit.isEmpty() ? QString("value") : unit);
  a.axis->setLabelFormat("%g");
  a.axis->setRange(0, 1);
  a.axis->setTickCount(2);
  chart()->addAxis(a.axis, unit_order_.size() % 2 == 0 ? Qt::AlignLeft : Qt::AlignRight);
  unit_order_ << unit;
  return *axes_.insert(unit, a);
}

QValueAxis* DeviceReadingsChart::metric_axis(const QString& metric) const {
  auto it = lines_.constFind(metric);
  return it == lines_.constEnd() ? nullptr : unit_axis(it->unit);
}

std::optional<double> DeviceReadingsChart::latest(const QString& metric) const {
  auto it = lines_.constFind(metric);
  if (it == lines_.constEnd() || it->series->count() == 0) return std::nullopt;
  return it->series->at(it->series->count() - 1).y();
}

int DeviceReadingsChart::points(const QString& metric) const {
  auto it = lines_.constFind(metric);
  return it == lines_.constEnd() ? 0 : static_cast<int>(it->series->count());
}

}  // namespace itc::studio
