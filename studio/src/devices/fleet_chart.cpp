#include "devices/fleet_chart.hpp"

#include <QEvent>
#include <QLineSeries>

#include "dashboard/status_strip.hpp"
#include "dashboard/time_chart.hpp"

namespace itc::studio {

FleetChart::FleetChart(QWidget* parent) : QChartView(parent) {
  auto* chart = new QChart();
  chart->setMargins(QMargins(4, 4, 4, 4));
  chart->legend()->setAlignment(Qt::AlignBottom);
  axes_ = std::make_unique<RoundAxes>(chart, RoundAxes::Unit::kCount);
  auto line = [&](const QString& name) {
    auto* s = new QLineSeries(chart);
    s->setName(name);
    chart->addSeries(s);
    axes_->attach(s);
    return s;
  };
  online_ = line(QString::fromUtf8("✔ online"));
  stale_ = line(QString::fromUtf8("▲ stale"));
  offline_ = line(QString::fromUtf8("✖ offline"));
  fault_ = line(QString::fromUtf8("✖ fault"));
  setChart(chart);
  setRenderHint(QPainter::Antialiasing);
  reset({});
  changeEvent(nullptr);
}

void FleetChart::changeEvent(QEvent* e) {
  if (e == nullptr || e->type() == QEvent::PaletteChange) {
    chart_follow_palette(this, *axes_);
    const QPalette& p = palette();
    const std::pair<QLineSeries*, Health> lines[] = {{online_, Health::kGood},
                                                     {stale_, Health::kWarning},
                                                     {offline_, Health::kBad},
                                                     {fault_, Health::kBad}};
    for (const auto& [s, h] : lines) {
      QPen pen(health_color(h, p));
      pen.setWidthF(2);
      if (s == fault_) pen.setStyle(Qt::DashLine);
      s->setPen(pen);
    }
  }
  if (e != nullptr) QChartView::changeEvent(e);
}

void FleetChart::reset(const QString& node_name) {
  samples_.clear();
  chart()->setTitle(node_name.isEmpty() ? "The fleet over time"
                                        : "The fleet of " + node_name +
                                              " over time — select a device for its readings");
  redraw();
}

void FleetChart::add(double t_s, const v1::NodeStats& stats) {
  samples_.push_back(
      {t_s, static_cast<double>(stats.devices_online()), static_cast<double>(stats.devices_stale()),
       static_cast<double>(stats.devices_offline()), static_cast<double>(stats.devices_fault())});
  while (!samples_.empty() && samples_.front().t_s < t_s - kWindowS) samples_.pop_front();
  redraw();
}

void FleetChart::redraw() {
  QList<QPointF> on, st, off, f;
  double top = 0;
  for (const Sample& s : samples_) {
    on.append({s.t_s, s.online});
    st.append({s.t_s, s.stale});
    off.append({s.t_s, s.offline});
    f.append({s.t_s, s.fault});
    top = std::max({top, s.online, s.stale, s.offline, s.fault});
  }
  online_->replace(on);
  stale_->replace(st);
  offline_->replace(off);
  fault_->replace(f);
  axes_->fit_values(top);
  const double to = samples_.empty() ? 0 : samples_.back().t_s;
  const double from = samples_.empty() ? 0 : std::min(samples_.front().t_s, to - 300);
  if (!samples_.empty()) axes_->set_time_range(from, std::max(to, from + 60));
}

}  // namespace itc::studio
