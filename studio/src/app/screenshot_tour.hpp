// ScreenshotTour: for --screenshot-dir: waits for the views to fill, visits each tab (opening
// a device and a block on the way), saves QWidget::grab() of the window as PNGs, quits.
// Thread safety: GUI thread only.
#pragma once

#include <QObject>
#include <QString>

namespace itc::studio {

class MainWindow;

struct TourOptions {
  QString dir;           // where the PNGs go
  QString genesis;       // optional: verify a block's certificate on the ledger tab
  QString owner_key;     // optional: shown in the devices tab's command panel
  int settle_ms = 8000;  // time for the charts to fill before the first shot
};

// Starts the tour; the application quits when it is done.
void start_screenshot_tour(MainWindow* window, const TourOptions& options);

}  // namespace itc::studio
