// devices_view_bench: how Studio copes with a 100,000-lamp fleet, against a real itc-node
// (solo ordering, store-sqlite, sim-lighting with `lamps: 100000`, normalize):
//  - devices view: time to show the first rows, to filter (by id substring, by state) and
//    to jump to a far row; the longest stall of the GUI event loop meanwhile, and which
//    event dispatches took longest (wall and GUI-thread CPU time, receiver, event type);
//    with device pages parsed on a worker thread and, alternating in the same run, on the
//    GUI thread (how Studio did it before);
// (The dashboard's frame time is dashboard_frame_bench.)
// Prints medians of repeated runs in one process. Run from the build dir:
//   QT_QPA_PLATFORM=offscreen ITC_PACKAGE_DIR=$PWD/packages
//   ITC_VENDOR_KEY=$PWD/keys/build-vendor.pem tests/studio/devices_view_bench [lamps]
#include <time.h>

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QMetaEnum>
#include <QTableView>
#include <QtTest>
#include <algorithm>
#include <fstream>

#include "devices/devices_view.hpp"
#include "free_port.hpp"
#include "lamp_profile.hpp"
#include "node_api/proto_json.hpp"
#include "node_process.hpp"

using namespace itc;
using namespace itc::studio;

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

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// An application that times every top-level event dispatch on the GUI thread, wall clock
// and thread CPU, and keeps the longest: where a stall went, and whether the GUI thread
// worked through it (CPU close to wall) or was waiting for a core (CPU far below wall).
class TimedApp : public QApplication {
 public:
  struct Dispatch {
    double wall_ms = 0, cpu_ms = 0;
    QString what;
  };
  using QApplication::QApplication;

  bool notify(QObject* receiver, QEvent* event) override {
    if (depth_++ > 0 || !recording_) {
      const bool r = QApplication::notify(receiver, event);
      --depth_;
      return r;
    }
    QElapsedTimer wall;
    wall.start();
    const double cpu = thread_cpu_ms();
    const int type = event->type();
    const QString receiver_class = receiver->metaObject()->className();
    const bool r = QApplication::notify(receiver, event);
    --depth_;
    Dispatch d{static_cast<double>(wall.nsecsElapsed()) / 1e6, thread_cpu_ms() - cpu, {}};
    if (d.wall_ms >= 10) {
      const char* name = QMetaEnum::fromType<QEvent::Type>().valueToKey(type);
      d.what = receiver_class + " / " + (name ? QString(name) : QString::number(type));
      longest_.push_back(d);
    }
    return r;
  }
  void record(bool on) {
    recording_ = on;
    if (on) longest_.clear();
  }
  // The `n` longest dispatches since record(true), longest first.
  std::vector<Dispatch> longest(std::size_t n) const {
    std::vector<Dispatch> v = longest_;
    std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.wall_ms > b.wall_ms; });
    if (v.size() > n) v.resize(n);
    return v;
  }
  std::size_t dispatches_over_ms(double ms) const {
    return static_cast<std::size_t>(std::count_if(
        longest_.begin(), longest_.end(), [ms](const Dispatch& d) { return d.wall_ms > ms; }));
  }

 private:
  int depth_ = 0;
  bool recording_ = false;
  std::vector<Dispatch> longest_;
};

// The benchmark's node: sim-lighting's fleet of `lamps`, normalized, ordered by solo into
// store-sqlite (started, not yet waited for).
void start_node(testing::NodeProcess& node, int lamps) {
  const auto owner = *crypto::Ed25519PrivateKey::generate();
  testing::NodeConfig config("bench-node", testing::free_port());
  config.plugin("sim-lighting", "lamps: " + std::to_string(lamps) +
                                    ", report_interval_ms: 60000, fleet_seed: bench, "
                                    "owner_public_key: " +
                                    crypto::to_hex(owner.public_key()));
  config.plugin("normalize").plugin("store-sqlite").plugin("solo");
  node.write_config(config);
  if (!node.start()) qFatal("itc-node did not start");
}

}  // namespace

int main(int argc, char** argv) {
  TimedApp app(argc, argv);
  const int lamps = argc > 1 ? std::atoi(argv[1]) : 100000;
  const int runs = 9;
  testing::NodeProcess node;
  start_node(node, lamps);

  // Wait until the node lists the whole fleet.
  AdminClient* probe = nullptr;
  int listed = 0;
  const bool ready = QTest::qWaitFor(
      [&] {
        if (node.token().empty()) return false;
        if (!probe)
          probe = new AdminClient({QUrl(QString::fromStdString(node.admin_url())),
                                   QByteArray::fromStdString(node.token())},
                                  &app);
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
              node.log_path().c_str());
    return 1;
  }
  std::printf("node lists %d devices\n", listed);

  NetworkSession session({"bench", {probe->endpoint()}});
  session.start();
  DevicesView view(&session);
  view.resize(1280, 800);
  view.show();
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

  // The same steps with pages parsed on a worker thread and on the GUI thread, the two
  // alternating run by run so that both see the same machine load.
  struct Mode {
    Mode(const char* n, DevicesView::PageParsing p) : name(n), parsing(p) {}
    const char* name;
    DevicesView::PageParsing parsing;
    std::vector<double> show, by_text, by_state, jump, stall;
    std::size_t over_30ms = 0;
    std::vector<TimedApp::Dispatch> longest;
  };
  std::vector<Mode> modes = {
      {"pages parsed on a worker thread", DevicesView::PageParsing::kWorker},
      {"pages parsed on the GUI thread (before)", DevicesView::PageParsing::kGuiThread}};
  int text_total = 0, state_total = 0;
  StallMeter stalls;
  for (int i = 0; i < runs; ++i) {
    for (Mode& m : modes) {
      view.set_page_parsing(m.parsing);
      app.record(true);
      stalls.start();
      m.show.push_back(time_filter("", ""));
      m.by_text.push_back(time_filter("", "lamp-0999"));
      text_total = view.model()->total();
      m.by_state.push_back(time_filter("online", ""));
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
        m.jump.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
      }
      m.stall.push_back(stalls.worst_ms());
      m.over_30ms += app.dispatches_over_ms(30);
      for (const auto& d : app.longest(3)) m.longest.push_back(d);
      app.record(false);
    }
  }

  // What one page costs to parse, on this thread, from a real answer of the node.
  std::vector<double> parse_ms;
  QByteArray page_json;
  probe->get("/v1/devices?offset=0&limit=200", &app,
             [&](const AdminReply& r) { page_json = r.ok() ? r.body : QByteArray("-"); });
  if (!QTest::qWaitFor([&] { return !page_json.isEmpty(); }, 30000)) qFatal("no page");
  for (int i = 0; i < 21; ++i) {
    v1::DeviceList l;
    QElapsedTimer t;
    t.start();
    (void)parse_json(page_json, &l, nullptr);
    parse_ms.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
  }

  std::printf("machine load (1 min) after the devices part: %s",
              [] {
                std::ifstream f("/proc/loadavg");
                std::string l;
                std::getline(f, l);
                return (l.substr(0, l.find(' ')) + " on " +
                        std::to_string(QThread::idealThreadCount()) + " cores\n");
              }()
                  .c_str());
  std::printf("one page of %d devices: %d bytes of JSON, parsed in %.1f ms (median of 21)\n",
              DevicePageModel::kPageSize, static_cast<int>(page_json.size()), median(parse_ms));
  for (Mode& m : modes) {
    std::printf("devices view, %d lamps, %s, median of %d runs:\n", lamps, m.name, runs);
    std::printf("  show all (first rows painted)      %8.1f ms\n", median(m.show));
    std::printf("  filter by id 'lamp-0999' (%5d)   %8.1f ms\n", text_total, median(m.by_text));
    std::printf("  filter by state online (%6d)   %8.1f ms\n", state_total, median(m.by_state));
    std::printf("  jump to row ~%d                %8.1f ms\n", lamps * 3 / 4, median(m.jump));
    std::printf("  longest GUI event-loop stall       %8.1f ms median of runs, %.1f ms max\n",
                median(m.stall), *std::max_element(m.stall.begin(), m.stall.end()));
    std::printf("  event dispatches over 30 ms        %8zu in %d runs\n", m.over_30ms, runs);
    std::sort(m.longest.begin(), m.longest.end(),
              [](auto& a, auto& b) { return a.wall_ms > b.wall_ms; });
    for (std::size_t k = 0; k < std::min<std::size_t>(3, m.longest.size()); ++k) {
      std::printf("    longest dispatch: %6.1f ms wall, %6.1f ms GUI-thread CPU: %s\n",
                  m.longest[k].wall_ms, m.longest[k].cpu_ms, qPrintable(m.longest[k].what));
    }
  }
  std::printf("  rows in memory at most             %8d (%d pages of %d)\n",
              DevicePageModel::kMaxPages * DevicePageModel::kPageSize, DevicePageModel::kMaxPages,
              DevicePageModel::kPageSize);

  node.stop();
  return 0;
}
