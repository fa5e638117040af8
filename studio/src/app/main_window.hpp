// MainWindow: one connection at a time, its views in tabs (dashboard, plugins, config,
// devices, ledger); connections remembered; keyboard shortcuts; window geometry and state
// remembered in QSettings; an About box with Studio's, Qt's and the nodes' versions.
// Thread safety: GUI thread only.
#pragma once

#include <QMainWindow>
#include <QPointer>

#include "session/connection_store.hpp"
#include "session/network_session.hpp"

class QLabel;
class QMenu;
class QTabWidget;

namespace itc::studio {

class ConfigView;
class DashboardView;
class DevicesView;
class LedgerView;
class PluginsView;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  enum Tab { kDashboard, kPlugins, kConfig, kDevices, kLedger };

  // `store` must outlive the window.
  explicit MainWindow(ConnectionStore* store, QWidget* parent = nullptr);

  // Replaces the current connection and its views.
  void open_connection(const Connection& c);
  bool open_saved(const QString& name);
  NetworkSession* session() const { return session_; }
  QTabWidget* tabs() const { return tabs_; }
  DashboardView* dashboard() const { return dashboard_; }
  PluginsView* plugins() const { return plugins_; }
  ConfigView* config() const { return config_; }
  DevicesView* devices() const { return devices_; }
  LedgerView* ledger() const { return ledger_; }
  // What the status bar says about the connection's nodes.
  QString connection_status() const;
  // The About text (versions of Studio, Qt, the SDK and each node).
  QString about_text() const;

 protected:
  void closeEvent(QCloseEvent* e) override;

 private:
  void build_menus();
  void rebuild_open_menu();
  void new_connection();
  void update_status();

  ConnectionStore* store_;
  QPointer<NetworkSession> session_;
  QTabWidget* tabs_;
  QLabel* status_;
  QMenu* open_menu_ = nullptr;
  DashboardView* dashboard_ = nullptr;
  PluginsView* plugins_ = nullptr;
  ConfigView* config_ = nullptr;
  DevicesView* devices_ = nullptr;
  LedgerView* ledger_ = nullptr;
};

}  // namespace itc::studio
