#include "devices/device_readings_chart.hpp"

#include <QChart>
#include <QLineSeries>
#include <QValueAxis>

namespace itc::studio {

DeviceReadingsChart::DeviceReadingsChart(QWidget* parent) : QChartView(new QChart(), parent) {
  setRenderHint(QPainter::Antialiasing);
  x_ = new QValueAxis(chart());
  x_->setTitleText("seconds");
  x_->setLabelFormat("%d");
  x_->setRange(0, kWindowS);
  y_ = new QValueAxis(chart());
  y_->setRange(0, 1);
  chart()->addAxis(x_, Qt::AlignBottom);
  chart()->addAxis(y_, Qt::AlignLeft);
  chart()->legend()->setAlignment(Qt::AlignBottom);
  chart()->setTitle("Readings");
}

void DeviceReadingsChart::reset(const QString& device_id) {
  for (Line& l : lines_) {
    chart()->removeSeries(l.series);
    delete l.series;
  }
  lines_.clear();
  origin_us_ = 0;
  y_max_ = 1;
  x_->setRange(0, kWindowS);
  y_->setRange(0, 1);
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
      l.series = new QLineSeries(chart());
      l.series->setName(r.unit().empty()
                            ? metric
                            : QString("%1 (%2)").arg(metric, QString::fromStdString(r.unit())));
      chart()->addSeries(l.series);
      l.series->attachAxis(x_);
      l.series->attachAxis(y_);
      it = lines_.insert(metric, l);
    }
    if (r.sampled_at_us() <= it->last_sample_us) continue;
    it->last_sample_us = r.sampled_at_us();
    const double t = static_cast<double>(r.sampled_at_us() - origin_us_) / 1e6;
    it->series->append(t, r.value());
    while (it->series->count() > 0 && it->series->at(0).x() < t - kWindowS) it->series->remove(0);
    newest = std::max(newest, t);
    y_max_ = std::max(y_max_, r.value() * 1.1);
  }
  if (newest > kWindowS) x_->setRange(newest - kWindowS, newest);
  y_->setRange(0, y_max_);
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
