#include "devices/devices_view.hpp"

#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "app/readable_table.hpp"
#include "node_api/proto_json.hpp"

namespace itc::studio {

DevicesView::DevicesView(NetworkSession* session, QWidget* parent)
    : QWidget(parent), session_(session) {
  node_box_ = new QComboBox(this);
  for (int i = 0; i < session->node_count(); ++i) node_box_->addItem(session->node_name(i));
  connect(session, &NetworkSession::node_changed, this, [this](int i) {
    if (i < node_box_->count()) node_box_->setItemText(i, session_->node_name(i));
  });
  state_ = new QComboBox(this);
  state_->setObjectName("deviceState");
  state_->addItem("all states", "");
  for (const char* s : {"online", "stale", "offline", "unknown", "fault"}) state_->addItem(s, s);
  search_ = new QLineEdit(this);
  search_->setObjectName("deviceSearch");
  search_->setPlaceholderText("search device id (Ctrl+F)");
  search_->setClearButtonEnabled(true);
  count_ = new QLabel(this);

  model_ = new DevicePageModel(
      [this](quint64 gen, const DeviceFilter& f, int offset, int limit) {
        session_->api(node()).device_page(
            f, offset, limit, page_parsing_, [this, gen] { return gen == model_->generation(); },
            this,
            [this, gen](const NodeAnswer<v1::DeviceList>& page) {
              page.ok() ? model_->page_arrived(gen, *page) : model_->page_failed(gen, page.error);
            });
      },
      this);
  connect(model_, &DevicePageModel::first_page_loaded, this, [this](int total) {
    count_->setText(total < 0 ? "cannot list devices: " + model_->last_error()
                              : QString("%1 devices").arg(total));
  });
  for (auto rows_changed : {&DevicePageModel::rowsInserted, &DevicePageModel::rowsRemoved}) {
    connect(model_, rows_changed, this,
            [this] { count_->setText(QString("%1 devices").arg(model_->total())); });
  }

  filter_delay_.setSingleShot(true);
  filter_delay_.setInterval(250);
  connect(&filter_delay_, &QTimer::timeout, this, &DevicesView::apply_filter);
  connect(search_, &QLineEdit::textChanged, &filter_delay_, qOverload<>(&QTimer::start));
  connect(state_, &QComboBox::currentIndexChanged, this, &DevicesView::apply_filter);
  connect(node_box_, &QComboBox::currentIndexChanged, this, &DevicesView::apply_filter);

  table_ = new QTableView(this);
  table_->setObjectName("deviceTable");
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  table_->verticalHeader()->setDefaultSectionSize(22);
  table_->verticalHeader()->hide();
  // The device id and profile whole; the device's verdict on its last command takes what
  // is left.
  ReadableTable::apply(table_, {DevicePageModel::kId, DevicePageModel::kProfile},
                       DevicePageModel::kLastCommand);
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (const auto* d = current.isValid() ? model_->device_at(current.row()) : nullptr) {
              select_device(QString::fromStdString(d->device_id()));
            }
          });

  detail_ = new QLabel("select a device", this);
  detail_->setWordWrap(true);
  chart_ = new DeviceReadingsChart(this);
  fleet_ = new FleetChart(this);
  charts_ = new QStackedWidget(this);
  charts_->addWidget(fleet_);
  charts_->addWidget(chart_);
  charts_->setMinimumHeight(240);
  record_ = new DeviceRecord(this);
  fleet_->reset(session->node_name(node()));
  connect(session, &NetworkSession::stats_received, this, [this](int n, const v1::NodeStats& s) {
    if (n == node())
      fleet_->add(static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000, s);
  });
  connect(node_box_, &QComboBox::currentIndexChanged, this,
          [this] { fleet_->reset(session_->node_name(node())); });
  poll_.setInterval(1000);
  connect(&poll_, &QTimer::timeout, this, &DevicesView::poll_selected);
  refresh_.setInterval(kRefreshMs);
  connect(&refresh_, &QTimer::timeout, this, [this] {
    if (isVisible()) refresh_shown_rows();
  });
  refresh_.start();
  connect(session, &NetworkSession::event_received, this, [this](int n, const v1::Event& e) {
    if (n == node() && e.has_device()) model_->update_device(e.device());
  });

  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel("Node:", this));
  bar->addWidget(node_box_);
  bar->addWidget(state_);
  bar->addWidget(search_, 1);
  bar->addWidget(count_);
  auto* right = new QVBoxLayout;
  right->addWidget(detail_);
  right->addWidget(charts_, 1);
  right->addWidget(record_);
  right->addWidget(make_command_panel());
  auto* right_widget = new QWidget(this);
  right_widget->setLayout(right);
  auto* split = new QSplitter(this);
  split->addWidget(table_);
  split->addWidget(right_widget);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(split, 1);
}

QWidget* DevicesView::make_command_panel() {
  auto* panel = new QWidget(this);
  auto* form = new QFormLayout(panel);
  key_label_ = new QLabel("no owner key chosen", panel);
  auto* key_button = new QPushButton("Owner &key…", panel);
  connect(key_button, &QPushButton::clicked, this, [this] {
    const QString p = QFileDialog::getOpenFileName(this, "Owner's private key", {}, "PEM (*.pem)");
    if (!p.isEmpty()) set_owner_key_file(p);
  });
  auto* key_row = new QHBoxLayout;
  key_row->addWidget(key_button);
  key_row->addWidget(key_label_, 1);
  form->addRow("Signed by", key_row);
  action_ = new QComboBox(panel);
  action_->addItem("on", v1::ACTION_ON);
  action_->addItem("off", v1::ACTION_OFF);
  action_->addItem("dim", v1::ACTION_DIM);
  action_->addItem("schedule", v1::ACTION_SET_SCHEDULE);
  dim_ = new QSpinBox(panel);
  dim_->setRange(0, 100);
  dim_->setSuffix(" %");
  dim_->setValue(50);
  schedule_ = new QLineEdit(panel);
  schedule_->setPlaceholderText("07:00 on; 12:30 dim 40; 22:00 off");
  auto* send = new QPushButton("&Send command", panel);
  connect(send, &QPushButton::clicked, this, &DevicesView::on_send_clicked);
  auto* action_row = new QHBoxLayout;
  action_row->addWidget(action_);
  action_row->addWidget(dim_);
  action_row->addWidget(send);
  form->addRow("Command", action_row);
  form->addRow("Schedule", schedule_);
  answer_ = new QLabel(panel);
  answer_->setObjectName("commandAnswer");
  answer_->setWordWrap(true);
  form->addRow(answer_);
  return panel;
}

int DevicesView::node() const { return std::max(0, node_box_->currentIndex()); }

QString DevicesView::command_answer() const { return answer_->text(); }

QString DevicesView::detail_text() const { return detail_->text(); }

QWidget* DevicesView::shown_chart() const { return charts_->currentWidget(); }

void DevicesView::refresh_shown_rows() {
  const int first = std::max(0, table_->rowAt(0));
  int last = table_->rowAt(table_->viewport()->height() - 1);
  // -1: fewer rows than the viewport holds (or no layout yet); never more than a page.
  if (last < 0) last = std::min(model_->rowCount(), first + DevicePageModel::kPageSize) - 1;
  model_->refresh_rows(first, last);
}

void DevicesView::apply_filter() {
  filter_delay_.stop();
  count_->setText("loading…");
  model_->set_filter({state_->currentData().toString(), search_->text().trimmed()});
}

void DevicesView::select_device(const QString& device_id) {
  if (device_id == selected_) return;
  selected_ = device_id;
  chart_->reset(device_id);
  record_->select(device_id);
  charts_->setCurrentWidget(device_id.isEmpty() ? static_cast<QWidget*>(fleet_) : chart_);
  if (device_id.isEmpty()) {
    poll_.stop();
    detail_->setText("select a device");
    return;
  }
  detail_->setText(device_id);
  poll_selected();
  poll_.start();
}

void DevicesView::poll_selected() {
  if (selected_.isEmpty()) return;
  const QString id = selected_;
  session_->api(node()).device(id, this, [this, id](const NodeAnswer<v1::DeviceStatus>& answer) {
    if (id != selected_) return;
    if (!answer.ok()) {
      detail_->setText(id + ": " + answer.error);
      return;
    }
    const v1::DeviceStatus& d = *answer;
    detail_->setText(
        QString("%1 — %2, profile %3, %4 readings, %5 errors%6%7")
            .arg(id, DevicePageModel::state_name(d), QString::fromStdString(d.profile()))
            .arg(d.readings())
            .arg(d.errors())
            .arg(d.last_error().empty() ? QString()
                                        : "; last error: " + QString::fromStdString(d.last_error()))
            .arg(d.last_command().empty() ? QString()
                                          : "; its verdict on the last command: " +
                                                QString::fromStdString(d.last_command())));
    chart_->add(d);
    record_->show_status(d);
    model_->update_device(d);  // its row shows the same counts as this header
  });
}

bool DevicesView::set_owner_key_file(const QString& pem_path) {
  QString why;
  owner_key_ = load_owner_key(pem_path, &why);
  if (!owner_key_) {
    key_label_->setText("no usable owner key");
    set_answer(false, why);
    return false;
  }
  key_label_->setText(
      QString("%1 (public key %2)").arg(pem_path, hex(owner_key_->public_key(), 16)));
  return true;
}

void DevicesView::send_command(CommandRequest req) {
  if (selected_.isEmpty()) return set_answer(false, "select a device first");
  if (!owner_key_) return set_answer(false, "choose the owner's key file first");
  req.device_id = selected_;
  const v1::Command cmd = sign_owner_command(req, *owner_key_, last_nonce_);
  last_nonce_ = cmd.nonce();
  set_answer(true, "sending…");
  const QString device = selected_, what = action_->itemText(action_->findData(req.action));
  // A refused command comes back as a CommandResult saying why.
  session_->api(node()).send_command(
      cmd, this, [this, device, what](const NodeAnswer<v1::CommandResult>& result) {
        if (!result.ok()) {
          record_->add_command(device, what, false, "not sent: " + result.error);
          return set_answer(false, "not sent: " + result.error);
        }
        const QString text = result->accepted()
                                 ? QString("accepted by the node (nonce %1)").arg(result->nonce())
                                 : "refused: " + QString::fromStdString(result->reason());
        record_->add_command(device, what, result->accepted(), text);
        set_answer(result->accepted(), text);
      });
}

void DevicesView::on_send_clicked() {
  CommandRequest req;
  req.action = static_cast<v1::Action>(action_->currentData().toInt());
  req.dim_level = dim_->value();
  if (req.action == v1::ACTION_SET_SCHEDULE) {
    QString why;
    auto entries = parse_schedule(schedule_->text(), &why);
    if (!entries) return set_answer(false, why);
    req.schedule = *entries;
  }
  send_command(req);
}

void DevicesView::set_answer(bool ok, const QString& text) {
  answer_->setText(text);
  answer_->setStyleSheet(ok ? "color: darkgreen" : "color: red");
  if (text != "sending…") emit command_answered(ok, text);
}

}  // namespace itc::studio
