// DeviceRecord: the selected device's record beside its chart — profile, owner on the
// chain (the key its registration names), source, last seen, readings and errors, the
// last error and when, the device's own verdict on its last command, and the commands
// Studio sent it this session with the node's answer to each.
// Thread safety: GUI thread only.
#pragma once

#include <QDateTime>
#include <QHash>
#include <QWidget>

#include "itc/v1/device.pb.h"

class QLabel;
class QListWidget;

namespace itc::studio {

class DeviceRecord : public QWidget {
  Q_OBJECT

 public:
  explicit DeviceRecord(QWidget* parent = nullptr);

  // Shows `device_id` (its fields empty until show_status); no id: what to do.
  void select(const QString& device_id);
  void show_status(const v1::DeviceStatus& d);
  // A command sent to `device_id` and the node's answer.
  void add_command(const QString& device_id, const QString& what, bool accepted,
                   const QString& answer);
  // The record's field `name` ("Profile", "Owner", …) as shown.
  QString field(const QString& name) const;
  QStringList commands() const;

 private:
  QLabel* add_field(const QString& name);
  void show_commands();

  QString device_;
  QHash<QString, QLabel*> fields_;
  QListWidget* commands_;
  QHash<QString, QStringList> sent_;  // per device, oldest first
};

}  // namespace itc::studio
