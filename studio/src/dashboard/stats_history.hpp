// StatsHistory: the last minutes of each node's NodeStats (Event.stats, once a second), as
// the points the dashboard's charts draw: x = seconds since the history began.
// Thread safety: GUI thread only.
#pragma once

#include <QList>
#include <QPointF>
#include <deque>
#include <vector>

#include "itc/v1/node.pb.h"

namespace itc::studio {

class StatsHistory {
 public:
  enum class Metric { kCommittedTxPerS, kReadingsPerS, kCommitLatencyMs };

  // Keeps `window_s` seconds of samples per node. Default: 300 s.
  explicit StatsHistory(double window_s = 300) : window_s_(window_s) {}

  // Records node `node`'s stats at `t_s` seconds; drops samples older than the window.
  void add(int node, double t_s, const v1::NodeStats& stats);
  int nodes() const { return static_cast<int>(samples_.size()); }
  QList<QPointF> points(int node, Metric m) const;
  // The largest value of `m` over every node in the window (0 if none).
  double max_value(Metric m) const;
  double latest_time() const { return latest_s_; }
  double window() const { return window_s_; }

 private:
  struct Sample {
    double t_s;
    double tx, readings, latency_ms;
  };
  static double value(const Sample& s, Metric m);

  double window_s_;
  double latest_s_ = 0;
  std::vector<std::deque<Sample>> samples_;
};

}  // namespace itc::studio
