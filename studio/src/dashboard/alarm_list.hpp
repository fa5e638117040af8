// AlarmList: the alarms an AlarmMonitor raised, newest last, each with its severity (colour
// and symbol), what is wrong and since when (the user's locale, and for how long); with
// none, a line saying that all is well and what is watched.
// Thread safety: GUI thread only.
#pragma once

#include <QStackedWidget>

#include "dashboard/alarm_monitor.hpp"

class QLabel;
class QTableWidget;

namespace itc::studio {

class AlarmList : public QStackedWidget {
  Q_OBJECT

 public:
  explicit AlarmList(AlarmMonitor* monitor, QWidget* parent = nullptr);

  QTableWidget* table() const { return table_; }
  // The alarm texts shown now.
  QStringList shown() const;

 private:
  void show_alarms();

  AlarmMonitor* monitor_;
  QLabel* empty_;
  QTableWidget* table_;
};

}  // namespace itc::studio
