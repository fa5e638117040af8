// DevicesView: the fleet, searchable and filterable by state, paged from the node (never
// the whole fleet at once), the shown rows fetched again every kRefreshMs so that their
// counters stay current; with no device selected, the fleet's state over time (FleetChart);
// the selected device's live readings (GET /v1/devices/{id} once a second while it is
// selected) and its record (DeviceRecord); and a command panel that signs
// on/off/dim/schedule commands locally with the owner's key and shows the node's answer.
// Thread safety: GUI thread only.
#pragma once

#include <QTimer>
#include <QWidget>
#include <optional>

#include "devices/device_page_model.hpp"
#include "devices/device_readings_chart.hpp"
#include "devices/device_record.hpp"
#include "devices/fleet_chart.hpp"
#include "devices/owner_command.hpp"
#include "session/network_session.hpp"

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QStackedWidget;
class QTableView;

namespace itc::studio {

class DevicesView : public QWidget {
  Q_OBJECT

 public:
  explicit DevicesView(NetworkSession* session, QWidget* parent = nullptr);

  DevicePageModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  DeviceReadingsChart* chart() const { return chart_; }
  FleetChart* fleet_chart() const { return fleet_; }
  DeviceRecord* record() const { return record_; }
  // The chart shown now: the fleet's (none selected) or the device's.
  QWidget* shown_chart() const;
  QLineEdit* search_box() const { return search_; }
  QComboBox* state_box() const { return state_; }
  QString command_answer() const;
  // The selected device's header: id, state, profile, reading and error counts.
  QString detail_text() const;
  static constexpr int kRefreshMs = 2000;
  // Where the JSON of a device page is parsed: on a worker thread (the default; the page
  // reaches the model by a queued signal) or on the GUI thread (kept so that
  // tests/studio/devices_view_bench can compare both in one run).
  using PageParsing = NodeApi::Parsing;
  void set_page_parsing(PageParsing where) { page_parsing_ = where; }
  QString selected_device() const { return selected_; }

  // Applies the filter widgets now (typing applies it after a short pause).
  void apply_filter();
  void select_device(const QString& device_id);
  // Fetches the pages of the rows the table shows again (the timer does it while visible).
  void refresh_shown_rows();
  bool set_owner_key_file(const QString& pem_path);
  // Signs and sends `req` for the selected device; the answer shows in command_answer().
  void send_command(CommandRequest req);

 signals:
  void command_answered(bool accepted, const QString& answer);

 private:
  QWidget* make_command_panel();
  void poll_selected();
  void on_send_clicked();
  void set_answer(bool ok, const QString& text);
  int node() const;

  NetworkSession* session_;
  QComboBox* node_box_;
  QComboBox* state_;
  QLineEdit* search_;
  QLabel* count_;
  DevicePageModel* model_;
  QTableView* table_;
  QLabel* detail_;
  DeviceReadingsChart* chart_;
  FleetChart* fleet_;
  QStackedWidget* charts_;
  DeviceRecord* record_;
  QTimer filter_delay_;
  QTimer poll_;
  QTimer refresh_;
  QString selected_;
  PageParsing page_parsing_ = PageParsing::kWorker;
  // Command panel.
  QLabel* key_label_;
  QComboBox* action_;
  QSpinBox* dim_;
  QLineEdit* schedule_;
  QLabel* answer_;
  std::optional<crypto::Ed25519PrivateKey> owner_key_;
  std::uint64_t last_nonce_ = 0;
};

}  // namespace itc::studio
