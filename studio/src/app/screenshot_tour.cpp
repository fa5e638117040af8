#include "app/screenshot_tour.hpp"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <functional>
#include <memory>

#include "app/main_window.hpp"
#include "config/config_view.hpp"
#include "devices/devices_view.hpp"
#include "ledger/ledger_view.hpp"

namespace itc::studio {

void start_screenshot_tour(MainWindow* window, const TourOptions& options) {
  QDir().mkpath(options.dir);
  struct Step {
    int tab;
    QString file;
    std::function<void()> prepare;
  };
  auto steps = std::make_shared<std::vector<Step>>();
  steps->push_back({MainWindow::kDashboard, "dashboard.png", {}});
  steps->push_back({MainWindow::kPlugins, "plugins.png", {}});
  steps->push_back({MainWindow::kConfig, "config.png", [window] {
                      ConfigView* c = window->config();
                      c->validate();
                      c->plugin_box()->setCurrentText("sim-lighting");
                      c->open_form("sim-lighting");
                    }});
  steps->push_back({MainWindow::kDevices, "devices.png", [window, options] {
                      if (!options.owner_key.isEmpty()) {
                        window->devices()->set_owner_key_file(options.owner_key);
                      }
                      window->devices()->table()->selectRow(0);
                    }});
  steps->push_back({MainWindow::kLedger, "ledger.png", [window, options] {
                      LedgerView* l = window->ledger();
                      if (l->model()->rowCount() > 0) l->block_table()->selectRow(0);
                      if (!options.genesis.isEmpty()) l->set_genesis_file(options.genesis);
                      QTimer::singleShot(1500, l, [l] { l->verify_current_certificate(); });
                    }});
  auto next = std::make_shared<std::function<void(std::size_t)>>();
  *next = [window, steps, next, dir = options.dir](std::size_t i) {
    if (i >= steps->size()) {
      QApplication::quit();
      return;
    }
    const Step& s = (*steps)[i];
    window->tabs()->setCurrentIndex(s.tab);
    if (s.prepare) s.prepare();
    QTimer::singleShot(3000, window, [window, steps, next, dir, i] {
      const QString path = dir + "/" + (*steps)[i].file;
      if (!window->grab().save(path))
        qWarning("cannot write %s", qPrintable(path));
      else
        qInfo("saved %s", qPrintable(path));
      (*next)(i + 1);
    });
  };
  QTimer::singleShot(options.settle_ms, window, [next] { (*next)(0); });
}

}  // namespace itc::studio
