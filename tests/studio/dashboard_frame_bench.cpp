// Benchmark: the dashboard's frame time with 4 nodes × 30 minutes of history. A real
// DashboardView at 1280×800 (offscreen) is fed 30 minutes of once-a-second stats from 4
// nodes through NetworkSession::deliver (what the event streams call) on a replayed clock;
// then each further second is one frame: 4 stats events, the charts' redraw, and the event
// loop run until the window has painted what changed (as the app does). Separately, a full
// render of the whole view (QWidget::grab: what a window uncovered or resized costs; the
// frame as session 7 measured it) after each frame. With the 30-minute range shown, for the
// network lines alone and with every node's line on, and for the charts as Studio draws them
// (crisp 1 px lines) and as it drew them before (antialiased 2.5/1.5 px lines): the four
// modes alternate in blocks of 10 frames so all see the same machine load. Prints the
// median and max wall time per frame and the GUI thread's CPU time (less noisy on a shared
// machine). Not a ctest test: run by hand (studio/README.md):
//   cd build && QT_QPA_PLATFORM=offscreen tests/studio/dashboard_frame_bench [frames per mode]
#include <time.h>

#include <QApplication>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QThread>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "dashboard/dashboard_view.hpp"
#include "dashboard/time_chart.hpp"
#include "session/network_session.hpp"

using namespace itc;
using namespace itc::studio;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double max_of(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// Counts the paint events of the widgets it watches.
class PaintCounter : public QObject {
 public:
  int paints = 0;

 protected:
  bool eventFilter(QObject* o, QEvent* e) override {
    if (e->type() == QEvent::Paint) ++paints;
    return QObject::eventFilter(o, e);
  }
};

struct Mode {
  Mode(const char* n, TimeChart::Rendering r, bool p) : name(n), rendering(r), per_node(p) {}
  const char* name;
  TimeChart::Rendering rendering;
  bool per_node;
  std::vector<double> frame_wall, frame_cpu, redraw, grab_wall, grab_cpu, with_grab;
  int paints = 0;
};

std::string load() {
  std::ifstream f("/proc/loadavg");
  std::string l;
  std::getline(f, l);
  return l.substr(0, l.find(' ')) + " on " + std::to_string(QThread::idealThreadCount()) + " cores";
}

// Node n's stats at second s: rates and latencies that move like a busy network's.
v1::Event stats_at(int s, int n) {
  v1::Event e;
  v1::NodeStats* st = e.mutable_stats();
  st->set_height(static_cast<std::uint64_t>(s) * 3);
  st->set_view(0);
  st->set_primary(n == 0);
  st->set_peers(3);
  st->set_committed_tx_per_s(1000 + 400 * std::sin(s / 60.0) + (s * 37 + n * 11) % 120);
  st->set_readings_per_s(50000 + 9000 * std::sin(s / 300.0 + n) + (s * 53 + n) % 900);
  st->set_commit_latency_ms(40 + (s * 7 + n * 13) % 60 + (s % 97 == 0 ? 900 : 0));
  st->set_plugins_running(5);
  st->set_devices_online(250);
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  constexpr int kNodes = 4, kHistoryS = 1800, kBlock = 10;
  const int frames = argc > 1 ? std::max(kBlock, std::atoi(argv[1])) : 120;
  Connection c{"four", {}};
  for (int i = 0; i < kNodes; ++i)
    c.nodes.push_back({QUrl(QString("http://127.0.0.1:%1").arg(i + 1)), "x"});
  NetworkSession session(c);  // not started: the stats come from this benchmark
  DashboardView dash(&session);
  qint64 clock_ms = 1'767'225'600'000;  // a replayed clock, one second per round
  dash.set_clock([&clock_ms] { return clock_ms; });
  dash.resize(1280, 800);
  dash.show();
  dash.set_range_s(kHistoryS);
  PaintCounter painted;
  for (TimeChart* chart : dash.charts()) chart->viewport()->installEventFilter(&painted);
  QElapsedTimer fill;
  fill.start();
  int s = 0;
  for (; s < kHistoryS; ++s, clock_ms += 1000) {
    for (int n = 0; n < kNodes; ++n) session.deliver(n, stats_at(s, n));
  }
  std::printf("machine load (1 min): %s\n", load().c_str());
  std::printf("history: %d nodes x %d s filled in %.0f ms\n", kNodes, kHistoryS,
              static_cast<double>(fill.nsecsElapsed()) / 1e6);
  std::vector<Mode> modes = {
      {"before: antialiased 2.5/1.5 px lines, network lines", TimeChart::Rendering::kAntialiased,
       false},
      {"now: crisp 1 px lines, network lines", TimeChart::Rendering::kCrisp, false},
      {"before: antialiased, network + every node's line", TimeChart::Rendering::kAntialiased,
       true},
      {"now: crisp, network + every node's line", TimeChart::Rendering::kCrisp, true}};
  for (int done = 0; done < frames; done += kBlock) {
    for (Mode& m : modes) {
      for (TimeChart* chart : dash.charts()) chart->set_rendering(m.rendering);
      for (int i = 0; i < kNodes; ++i) dash.node_toggle(i)->setChecked(m.per_node);
      dash.redraw();
      QCoreApplication::processEvents();
      QCoreApplication::processEvents();
      for (int f = 0; f < kBlock; ++f, ++s, clock_ms += 1000) {
        const int paints_before = painted.paints;
        QElapsedTimer t;
        t.start();
        const double cpu = thread_cpu_ms();
        for (int n = 0; n < kNodes; ++n) session.deliver(n, stats_at(s, n));
        dash.redraw();
        // The charts' scene changes and the window's repaint are queued events: run them
        // until the window has painted (two rounds: the scene's, then the widgets').
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        m.frame_wall.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        m.paints += painted.paints - paints_before;
        m.frame_cpu.push_back(thread_cpu_ms() - cpu);
        m.redraw.push_back(dash.last_update_ms());
        QElapsedTimer g;
        g.start();
        const double gcpu = thread_cpu_ms();
        (void)dash.grab();  // renders the whole view, charts included
        m.grab_wall.push_back(static_cast<double>(g.nsecsElapsed()) / 1e6);
        m.grab_cpu.push_back(thread_cpu_ms() - gcpu);
        m.with_grab.push_back(m.frame_wall.back() + m.grab_wall.back());
      }
    }
  }
  std::printf(
      "dashboard at 1280x800, %d nodes x 30 min of history, 30-minute range, %d frames "
      "per mode (median / max, ms):\n",
      kNodes, static_cast<int>(modes.front().frame_wall.size()));
  for (const Mode& m : modes) {
    std::printf(
        "  %s:\n"
        "    frame (4 stats events + redraw + the window's paint): wall %.1f / %.1f, GUI-thread "
        "CPU %.1f / %.1f; charts' redraw %.1f / %.1f; chart paints per frame (not the grab's) "
        "%.1f\n"
        "    full render of the view (grab): wall %.1f / %.1f, CPU %.1f / %.1f; "
        "frame + full render (session 7's frame): wall %.1f / %.1f\n",
        m.name, median(m.frame_wall), max_of(m.frame_wall), median(m.frame_cpu),
        max_of(m.frame_cpu), median(m.redraw), max_of(m.redraw),
        static_cast<double>(m.paints) / static_cast<double>(m.frame_wall.size()),
        median(m.grab_wall), max_of(m.grab_wall), median(m.grab_cpu), max_of(m.grab_cpu),
        median(m.with_grab), max_of(m.with_grab));
  }
  return 0;
}
