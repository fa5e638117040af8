#include "app/main_window.hpp"

#include <QApplication>
#include <QCloseEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

#include "config/config_view.hpp"
#include "connections/connection_dialog.hpp"
#include "dashboard/dashboard_view.hpp"
#include "devices/devices_view.hpp"
#include "itc/version.hpp"
#include "ledger/ledger_view.hpp"
#include "plugins/plugins_view.hpp"

namespace itc::studio {

MainWindow::MainWindow(ConnectionStore* store, QWidget* parent)
    : QMainWindow(parent), store_(store) {
  setWindowTitle("IoT Chain Studio");
  setObjectName("mainWindow");
  tabs_ = new QTabWidget(this);
  tabs_->setObjectName("tabs");
  tabs_->setDocumentMode(true);
  auto* hint = new QLabel("Connect to a node or network: Connection → New… (Ctrl+N)", tabs_);
  hint->setAlignment(Qt::AlignCenter);
  tabs_->addTab(hint, "Welcome");
  setCentralWidget(tabs_);
  status_ = new QLabel(this);
  statusBar()->addWidget(status_, 1);
  build_menus();
  QSettings settings;
  if (!restoreGeometry(settings.value("window/geometry").toByteArray())) resize(1280, 800);
  restoreState(settings.value("window/state").toByteArray());
}

void MainWindow::build_menus() {
  QMenu* conn = menuBar()->addMenu("&Connection");
  conn->addAction("&New…", QKeySequence::New, this, &MainWindow::new_connection);
  open_menu_ = conn->addMenu("&Open");
  rebuild_open_menu();
  conn->addAction("&Forget current", this, [this] {
    if (!session_) return;
    store_->remove(session_->connection().name);
    rebuild_open_menu();
  });
  conn->addSeparator();
  conn->addAction("&Quit", QKeySequence::Quit, this, &QWidget::close);

  QMenu* view = menuBar()->addMenu("&View");
  const char* names[] = {"&Dashboard", "&Plugins", "&Config", "De&vices", "&Ledger"};
  for (int i = 0; i < 5; ++i) {
    view->addAction(names[i], QKeySequence(Qt::CTRL | (Qt::Key_1 + i)), this, [this, i] {
      if (tabs_->count() > i) tabs_->setCurrentIndex(i);
    });
  }
  view->addSeparator();
  view->addAction("&Refresh", QKeySequence::Refresh, this, [this] {
    if (!session_) return;
    session_->refresh_info();
    plugins_->refresh();
    ledger_->refresh_head();
    devices_->apply_filter();
  });
  view->addAction("&Find device", QKeySequence::Find, this, [this] {
    if (!devices_) return;
    tabs_->setCurrentIndex(kDevices);
    devices_->search_box()->setFocus();
  });
  view->addAction("Validate config", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V), this, [this] {
    if (!config_) return;
    tabs_->setCurrentIndex(kConfig);
    config_->validate();
  });

  QMenu* help = menuBar()->addMenu("&Help");
  help->addAction("&About IoT Chain Studio", this,
                  [this] { QMessageBox::about(this, "About IoT Chain Studio", about_text()); });
  help->addAction("About &Qt", qApp, &QApplication::aboutQt);
}

void MainWindow::rebuild_open_menu() {
  open_menu_->clear();
  for (const QString& name : store_->names()) {
    open_menu_->addAction(name, this, [this, name] { open_saved(name); });
  }
  open_menu_->setEnabled(!open_menu_->isEmpty());
}

void MainWindow::new_connection() {
  ConnectionDialog dialog(this);
  if (dialog.exec() != QDialog::Accepted) return;
  QString why;
  auto c = dialog.connection(&why);
  if (!c) return;
  if (!store_->save(*c, &why)) {
    QMessageBox::warning(this, "Connection not saved", why);
  }
  rebuild_open_menu();
  open_connection(*c);
}

bool MainWindow::open_saved(const QString& name) {
  QString why;
  auto c = store_->load(name, &why);
  if (!c || !why.isEmpty()) {
    QMessageBox::warning(this, "Cannot open " + name, why);
    if (!c) return false;
  }
  open_connection(*c);
  return true;
}

void MainWindow::open_connection(const Connection& c) {
  const int current = session_ ? tabs_->currentIndex() : 0;
  while (tabs_->count() > 0) {
    QWidget* w = tabs_->widget(0);
    tabs_->removeTab(0);
    delete w;
  }
  delete session_;
  session_ = new NetworkSession(c, this);
  dashboard_ = new DashboardView(session_);
  plugins_ = new PluginsView(session_);
  config_ = new ConfigView(session_);
  devices_ = new DevicesView(session_);
  ledger_ = new LedgerView(session_);
  tabs_->addTab(dashboard_, "Dashboard");
  tabs_->addTab(plugins_, "Plugins");
  tabs_->addTab(config_, "Config");
  tabs_->addTab(devices_, "Devices");
  tabs_->addTab(ledger_, "Ledger");
  tabs_->setCurrentIndex(std::clamp(current, 0, tabs_->count() - 1));
  connect(session_, &NetworkSession::node_changed, this, &MainWindow::update_status);
  session_->start();
  plugins_->refresh();
  config_->reload();
  devices_->apply_filter();
  ledger_->refresh_head();
  setWindowTitle("IoT Chain Studio — " + c.name);
  QSettings().setValue("connections/last", c.name);
  update_status();
}

QString MainWindow::connection_status() const { return status_->text(); }

void MainWindow::update_status() {
  if (!session_) return;
  QStringList parts;
  for (int i = 0; i < session_->node_count(); ++i) {
    parts << session_->node_name(i) + ": " + session_->node(i).status;
  }
  status_->setText(parts.join("  |  "));
}

QString MainWindow::about_text() const {
  QString s = QString("<h3>IoT Chain Studio %1</h3><p>Qt %2 (built with %3), IoT Chain SDK %4</p>")
                  .arg(ITC_STUDIO_VERSION, qVersion(), QT_VERSION_STR, sdk_version());
  if (session_) {
    s += "<p>Nodes:<br>";
    for (int i = 0; i < session_->node_count(); ++i) {
      const NodeLink& n = session_->node(i);
      s +=
          QString("%1 — %2<br>")
              .arg(session_->node_name(i).toHtmlEscaped(),
                   n.info_known
                       ? "itc-node " + QString::fromStdString(n.info.version()) +
                             QString(" (ABI %1.%2)").arg(n.info.abi_major()).arg(n.info.abi_minor())
                       : "version unknown (" + n.status.toHtmlEscaped() + ")");
    }
    s += "</p>";
  }
  return s;
}

void MainWindow::closeEvent(QCloseEvent* e) {
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  QMainWindow::closeEvent(e);
}

}  // namespace itc::studio
