#include "dashboard/alarm_list.hpp"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableWidget>

#include "app/readable_table.hpp"
#include "dashboard/status_strip.hpp"

namespace itc::studio {

AlarmList::AlarmList(AlarmMonitor* monitor, QWidget* parent)
    : QStackedWidget(parent), monitor_(monitor) {
  setObjectName("alarmList");
  empty_ = new QLabel(
      QString::fromUtf8("✔ No alarms.\nWatched: nodes down or silent, view-change storms, "
                        "missing peers, state divergences, disks below their watermark, failed "
                        "plugins, more than %1 % of the fleet offline.")
          .arg(AlarmMonitor::kOfflineRatio * 100),
      this);
  empty_->setWordWrap(true);
  empty_->setAlignment(Qt::AlignCenter);
  table_ = new QTableWidget(0, 3, this);
  table_->setObjectName("alarmTable");
  table_->setHorizontalHeaderLabels({"", "Alarm", "Since"});
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  ReadableTable::apply(table_, {2}, 1);
  addWidget(empty_);
  addWidget(table_);
  connect(monitor, &AlarmMonitor::changed, this, &AlarmList::show_alarms);
  show_alarms();
}

QStringList AlarmList::shown() const {
  QStringList out;
  if (currentWidget() != table_) return out;
  for (int r = 0; r < table_->rowCount(); ++r) out << table_->item(r, 1)->text();
  return out;
}

void AlarmList::show_alarms() {
  const std::vector<Alarm> alarms = monitor_->active();
  setCurrentWidget(alarms.empty() ? static_cast<QWidget*>(empty_) : table_);
  table_->setRowCount(static_cast<int>(alarms.size()));
  const QLocale locale;
  for (int r = 0; r < static_cast<int>(alarms.size()); ++r) {
    const Alarm& a = alarms[static_cast<std::size_t>(r)];
    auto* sev = new QTableWidgetItem(health_symbol(a.severity));
    sev->setForeground(health_color(a.severity, palette()));
    sev->setToolTip(a.severity == Health::kBad ? "act now" : "watch");
    table_->setItem(r, 0, sev);
    table_->setItem(r, 1, new QTableWidgetItem(a.text));
    auto* since = new QTableWidgetItem(display_text(a.since));
    since->setToolTip(locale.toString(a.since, QLocale::LongFormat));
    table_->setItem(r, 2, since);
  }
}

}  // namespace itc::studio
