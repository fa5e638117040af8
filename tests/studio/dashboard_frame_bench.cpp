// Benchmark: the dashboard's frame time with 4 nodes × 30 minutes of history. A real
// DashboardView at 1280×800 (offscreen) is fed 30 minutes of once-a-second stats from 4
// nodes through NetworkSession::deliver (what the event streams call) on a replayed clock,
// then each further second — 4 stats events, the charts' redraw and a full render of the
// view (QWidget::grab) — is one frame. Prints the median and max frame over 120 frames, with
// the 30-minute range shown, for the network lines alone and with every node's line on.
// Not a ctest test: run by hand (studio/README.md).
#include <QApplication>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QThread>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "dashboard/dashboard_view.hpp"
#include "session/network_session.hpp"

using namespace itc;
using namespace itc::studio;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

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
  constexpr int kNodes = 4, kHistoryS = 1800, kFrames = 120;
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
  QElapsedTimer fill;
  fill.start();
  int s = 0;
  for (; s < kHistoryS; ++s, clock_ms += 1000) {
    for (int n = 0; n < kNodes; ++n) session.deliver(n, stats_at(s, n));
  }
  std::printf("machine load (1 min): %s\n", load().c_str());
  std::printf("history: %d nodes x %d s filled in %.0f ms\n", kNodes, kHistoryS,
              static_cast<double>(fill.nsecsElapsed()) / 1e6);
  for (bool per_node : {false, true}) {
    for (int i = 0; i < kNodes; ++i) dash.node_toggle(i)->setChecked(per_node);
    dash.redraw();
    QCoreApplication::processEvents();
    (void)dash.grab();
    std::vector<double> frame, redraw;
    for (int f = 0; f < kFrames; ++f, ++s, clock_ms += 1000) {
      QElapsedTimer t;
      t.start();
      for (int n = 0; n < kNodes; ++n) session.deliver(n, stats_at(s, n));
      dash.redraw();
      QCoreApplication::processEvents();  // the charts' scene updates are queued
      (void)dash.grab();                  // renders the whole view, charts included
      frame.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
      redraw.push_back(dash.last_update_ms());
    }
    std::printf(
        "dashboard, %d nodes x 30 min of history, 30-minute range, %s:\n"
        "  frame (4 stats events + redraw + full render): median %.1f ms, max %.1f ms over %d "
        "frames\n  of which the charts' redraw: median %.1f ms, max %.1f ms\n",
        kNodes, per_node ? "network + every node's line" : "network lines only", median(frame),
        *std::max_element(frame.begin(), frame.end()), kFrames, median(redraw),
        *std::max_element(redraw.begin(), redraw.end()));
  }
  return 0;
}
