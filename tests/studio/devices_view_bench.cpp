// devices_view_bench: how Studio copes with a 100,000-lamp fleet, against a real itc-node
// (solo ordering, store-sqlite, sim-lighting with `lamps: 100000`, normalize):
//  - devices view: time to show the first rows, to filter (by id substring, by state) and
//    to jump to a far row; the longest stall of the GUI event loop meanwhile;
//  - dashboard: time to update and render the three charts, with the live node's stats
//    and with a full five-minute history of four nodes.
// Prints medians of repeated runs in one process. Run from the build dir:
//   QT_QPA_PLATFORM=offscreen ITC_PACKAGE_DIR=$PWD/packages
//   ITC_VENDOR_KEY=$PWD/keys/build-vendor.pem tests/studio/devices_view_bench [lamps]
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QProcess>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <fstream>

#include "core/proto_json.hpp"
#include "dashboard/dashboard_view.hpp"
#include "devices/devices_view.hpp"
#include "lamp_profile.hpp"
#include "local_network.hpp"

using namespace itc;
using namespace itc::studio;
using itc::testing::env_or;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// The longest gap between ticks of a 2 ms timer: how long the GUI thread was busy.
class StallMeter : public QObject {
 public:
  StallMeter() {
    connect(&timer_, &QTimer::timeout, this, [this] {
      const double now = static_cast<double>(clock_.nsecsElapsed()) / 1e6;
      worst_ = std::max(worst_, now - last_);
      last_ = now;
    });
  }
  void start() {
    clock_.start();
    last_ = 0;
    worst_ = 0;
    timer_.start(2);
  }
  double worst_ms() const { return worst_; }

 private:
  QTimer timer_;
  QElapsedTimer clock_;
  double last_ = 0, worst_ = 0;
};

struct Node {
  QTemporaryDir dir;
  QProcess process;
  std::uint16_t port = testing::free_port();
  QString token() const {
    QFile f(dir.filePath("data/admin.token"));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()).trimmed() : QString();
  }
};

void start_node(Node& n, int lamps) {
  const std::string pk = env_or("ITC_PACKAGE_DIR");
  const auto owner = *crypto::Ed25519PrivateKey::generate();
  std::ofstream(n.dir.filePath("node.yaml").toStdString())
      << "node:\n  name: bench-node\n  data_dir: data\n  admin: {listen: 127.0.0.1:" << n.port
      << "}\n  trusted_vendor_keys: [" << env_or("ITC_VENDOR_KEY") << "]\n"
      << testing::device_profiles_yaml() << "plugins:\n"
      << "  - name: sim-lighting\n    package: " << pk << "/sim-lighting.itcpkg\n"
      << "    config: {lamps: " << lamps << ", report_interval_ms: 60000, fleet_seed: bench, "
      << "owner_public_key: " << crypto::to_hex(owner.public_key()) << "}\n"
      << "  - name: normalize\n    package: " << pk << "/normalize.itcpkg\n"
      << "  - name: store-sqlite\n    package: " << pk << "/store-sqlite.itcpkg\n"
      << "  - name: solo\n    package: " << pk << "/solo.itcpkg\n";
  n.process.setProcessChannelMode(QProcess::MergedChannels);
  n.process.setStandardOutputFile(n.dir.filePath("node.log"));
  n.process.start(ITC_NODE_BIN, {"--config", n.dir.filePath("node.yaml")});
  if (!n.process.waitForStarted(10000)) qFatal("itc-node did not start");
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  const int lamps = argc > 1 ? std::atoi(argv[1]) : 100000;
  const int runs = 9;
  Node node;
  start_node(node, lamps);

  // Wait until the node lists the whole fleet.
  AdminClient* probe = nullptr;
  int listed = 0;
  const bool ready = QTest::qWaitFor(
      [&] {
        if (node.token().isEmpty()) return false;
        if (!probe)
          probe = new AdminClient(
              {QUrl(QString("http://127.0.0.1:%1").arg(node.port)), node.token().toUtf8()}, &app);
        static bool pending = false;
        if (!pending) {
          pending = true;
          probe->get("/v1/devices?limit=1", &app, [&](const AdminReply& r) {
            pending = false;
            v1::DeviceList l;
            if (r.ok() && parse_json(r.body, &l, nullptr)) listed = static_cast<int>(l.total());
          });
        }
        return listed >= lamps;
      },
      180000);
  if (!ready) {
    qCritical("the node never listed %d devices (listed %d); log: %s", lamps, listed,
              qPrintable(node.dir.filePath("node.log")));
    return 1;
  }
  std::printf("node lists %d devices\n", listed);

  NetworkSession session({"bench", {probe->endpoint()}});
  session.start();
  DevicesView view(&session);
  view.resize(1280, 800);
  view.show();
  StallMeter stalls;
  QTableView* table = view.table();

  // Time from a new filter to its first rows painted.
  auto time_filter = [&](const QString& state, const QString& text) {
    QSignalSpy loaded(view.model(), &DevicePageModel::first_page_loaded);
    QElapsedTimer t;
    t.start();
    view.state_box()->blockSignals(true);
    view.state_box()->setCurrentIndex(std::max(0, view.state_box()->findData(state)));
    view.state_box()->blockSignals(false);
    view.search_box()->blockSignals(true);
    view.search_box()->setText(text);
    view.search_box()->blockSignals(false);
    view.apply_filter();
    if (!QTest::qWaitFor([&] { return !loaded.isEmpty(); }, 30000)) return -1.0;
    table->viewport()->repaint();
    return static_cast<double>(t.nsecsElapsed()) / 1e6;
  };
  std::vector<double> show, by_text, by_state, jump;
  int text_total = 0, state_total = 0;
  stalls.start();
  for (int i = 0; i < runs; ++i) {
    show.push_back(time_filter("", ""));
    by_text.push_back(time_filter("", "lamp-0999"));
    text_total = view.model()->total();
    by_state.push_back(time_filter("online", ""));
    state_total = view.model()->total();
    // Jump far down the whole fleet and wait for those rows.
    time_filter("", "");
    const int row = lamps * 3 / 4 + i * 97;
    QElapsedTimer t;
    t.start();
    table->scrollTo(view.model()->index(row, 0), QAbstractItemView::PositionAtCenter);
    table->viewport()->repaint();
    if (QTest::qWaitFor([&] { return view.model()->device_at(row) != nullptr; }, 30000)) {
      table->viewport()->repaint();
      jump.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
    }
  }
  const double worst_stall = stalls.worst_ms();
  std::printf("devices view, %d lamps, median of %d runs:\n", lamps, runs);
  std::printf("  show all (first rows painted)      %8.1f ms\n", median(show));
  std::printf("  filter by id 'lamp-0999' (%5d)   %8.1f ms\n", text_total, median(by_text));
  std::printf("  filter by state online (%6d)   %8.1f ms\n", state_total, median(by_state));
  std::printf("  jump to row ~%d                %8.1f ms\n", lamps * 3 / 4, median(jump));
  std::printf("  rows in memory at most             %8d (%d pages of %d)\n",
              DevicePageModel::kMaxPages * DevicePageModel::kPageSize, DevicePageModel::kMaxPages,
              DevicePageModel::kPageSize);
  std::printf("  longest GUI event-loop stall       %8.1f ms\n", worst_stall);

  // Dashboard: live stats from the node for a few seconds, then a full synthetic history.
  DashboardView dash(&session);
  dash.resize(1280, 800);
  dash.show();
  std::vector<double> live_update, live_render;
  QObject::connect(&session, &NetworkSession::stats_received, &dash, [&] {
    live_update.push_back(dash.last_update_ms());
    QElapsedTimer t;
    t.start();
    QCoreApplication::processEvents();  // the charts' scene updates are queued
    (void)dash.grab();                  // renders the whole view, charts included
    live_render.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
  });
  QTest::qWait(6000);
  NetworkSession four({"four",
                       {{QUrl("http://127.0.0.1:1"), "x"},
                        {QUrl("http://127.0.0.1:2"), "x"},
                        {QUrl("http://127.0.0.1:3"), "x"},
                        {QUrl("http://127.0.0.1:4"), "x"}}});
  DashboardView full(&four);
  full.resize(1280, 800);
  full.show();
  std::vector<double> full_frame;
  for (int s = 0; s < 400; ++s) {
    for (int n = 0; n < 4; ++n) {
      v1::Event e;
      e.mutable_stats()->set_committed_tx_per_s(1000 + (s * 37 + n * 11) % 500);
      e.mutable_stats()->set_readings_per_s(50000 + (s * 53 + n) % 9000);
      e.mutable_stats()->set_commit_latency_ms(10 + (s * 7 + n) % 40);
      QElapsedTimer t;
      t.start();
      four.deliver(n, e);
      QCoreApplication::processEvents();
      (void)full.grab();
      if (s >= 300) full_frame.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
    }
  }
  std::printf("dashboard charts:\n");
  std::printf("  live node, %zu stats events: update %.2f ms, full render %.1f ms (medians)\n",
              live_update.size(), median(live_update), median(live_render));
  std::printf(
      "  4 nodes x 300 s history: update + full render per stats event %.1f ms (median), "
      "%.1f ms (max)\n",
      median(full_frame), *std::max_element(full_frame.begin(), full_frame.end()));
  node.process.terminate();
  node.process.waitForFinished(20000);
  return 0;
}
