#include "devices/device_record.hpp"

#include <QFormLayout>
#include <QLabel>
#include <QListWidget>

#include "app/readable_table.hpp"
#include "devices/device_page_model.hpp"
#include "node_api/proto_json.hpp"

namespace itc::studio {

namespace {
QString when(std::int64_t us) {
  return us == 0 ? QString() : display_text(QDateTime::fromMSecsSinceEpoch(us / 1000));
}
}  // namespace

DeviceRecord::DeviceRecord(QWidget* parent) : QWidget(parent) {
  setObjectName("deviceRecord");
  auto* form = new QFormLayout(this);
  form->setContentsMargins(0, 0, 0, 0);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  for (const char* name : {"Device", "Profile", "Owner", "Source", "Last seen", "Readings",
                           "Last error", "Its verdict"}) {
    form->addRow(QString(name) + ":", add_field(name));
  }
  commands_ = new QListWidget(this);
  commands_->setObjectName("sentCommands");
  commands_->setMaximumHeight(70);
  form->addRow("Sent:", commands_);
  select({});
}

QLabel* DeviceRecord::add_field(const QString& name) {
  auto* l = new QLabel(this);
  l->setTextInteractionFlags(Qt::TextSelectableByMouse);
  l->setWordWrap(true);
  fields_.insert(name, l);
  return l;
}

void DeviceRecord::select(const QString& device_id) {
  device_ = device_id;
  for (QLabel* l : fields_) l->clear();
  fields_["Device"]->setText(device_id.isEmpty() ? "none selected: pick a row to see the "
                                                   "device's record, readings and commands"
                                                 : device_id);
  show_commands();
}

void DeviceRecord::show_status(const v1::DeviceStatus& d) {
  if (QString::fromStdString(d.device_id()) != device_) return;
  fields_["Device"]->setText(
      QString("%1 — %2").arg(device_, DevicePageModel::state_name(d)) +
      (d.state_since_us() ? " since " + when(d.state_since_us()) : QString()));
  fields_["Profile"]->setText(QString::fromStdString(d.profile()));
  fields_["Owner"]->setText(d.owner_public_key().empty() ? "not registered on the chain"
                                                         : "key " + hex(d.owner_public_key(), 16));
  fields_["Owner"]->setToolTip(d.owner_public_key().empty() ? QString()
                                                            : hex(d.owner_public_key()));
  fields_["Source"]->setText(QString::fromStdString(d.source()));
  fields_["Last seen"]->setText(when(d.last_seen_us()));
  fields_["Readings"]->setText(QString("%1 readings, %2 errors")
                                   .arg(display_text(static_cast<qulonglong>(d.readings())),
                                        display_text(static_cast<qulonglong>(d.errors()))));
  fields_["Last error"]->setText(
      d.last_error().empty() ? "none"
                             : QString("%1 (%2)").arg(QString::fromStdString(d.last_error()),
                                                      when(d.last_error_at_us())));
  fields_["Its verdict"]->setText(
      d.last_command().empty() ? "no command yet"
                               : QString("%1 (%2)").arg(QString::fromStdString(d.last_command()),
                                                        when(d.last_command_at_us())));
}

void DeviceRecord::add_command(const QString& device_id, const QString& what, bool accepted,
                               const QString& answer) {
  sent_[device_id].append(QString("%1  %2: %3 %4")
                              .arg(display_text(QDateTime::currentDateTime()), what,
                                   accepted ? QString::fromUtf8("✔") : QString::fromUtf8("✖"),
                                   answer));
  if (device_id == device_) show_commands();
}

void DeviceRecord::show_commands() {
  commands_->clear();
  const QStringList sent = sent_.value(device_);
  if (sent.isEmpty()) {
    commands_->addItem(device_.isEmpty() ? QString() : "none sent from Studio this session");
  } else {
    commands_->addItems(sent);
    commands_->scrollToBottom();
  }
}

QString DeviceRecord::field(const QString& name) const {
  auto it = fields_.constFind(name);
  return it == fields_.constEnd() ? QString() : (*it)->text();
}

QStringList DeviceRecord::commands() const { return sent_.value(device_); }

}  // namespace itc::studio
