// StatsHistory: the last minutes of each node's NodeStats (Event.stats, once a second), as
// the points the dashboard's charts draw (x = the time the caller gives, in seconds), and
// the network's line: per whole second, the chain's rate as its nodes see it (the median of
// the nodes that reported in that second, so one lagging or lying validator does not move
// it; every validator commits every block, so rates are not summed) and the worst commit
// latency of any node. Nodes report only their last block's commit latency, so the p99
// latency is computed here: per node, over its reports of the last kP99WindowS seconds
// (nearest rank; with fewer than 100 reports that is their largest), and the network's is
// the worst node's.
// Thread safety: GUI thread only.
#pragma once

#include <QList>
#include <QPointF>
#include <deque>
#include <optional>
#include <vector>

#include "itc/v1/node.pb.h"

namespace itc::studio {

class StatsHistory {
 public:
  // kCommitLatencyMs: the last block's, as reported; kCommitLatencyP99Ms: its rolling p99.
  enum class Metric { kCommittedTxPerS, kReadingsPerS, kCommitLatencyMs, kCommitLatencyP99Ms };
  // The p99 latency is taken over each node's reports of this many seconds.
  static constexpr double kP99WindowS = 300;

  // Keeps `window_s` seconds of samples per node. Default: 1800 s (30 minutes).
  explicit StatsHistory(double window_s = 1800) : window_s_(window_s) {}

  // Records node `node`'s stats at `t_s` seconds; drops samples older than the window.
  void add(int node, double t_s, const v1::NodeStats& stats);
  int nodes() const { return static_cast<int>(samples_.size()); }
  QList<QPointF> points(int node, Metric m) const { return points(node, m, -1e300); }
  // Node `node`'s points from `from_s` on.
  QList<QPointF> points(int node, Metric m, double from_s) const;
  // The network's points from `from_s` on: one per second, the median of the nodes'
  // rates, or the largest commit latency (or p99 latency) of any node.
  QList<QPointF> network_points(Metric m, double from_s) const;
  // The largest value of `m` over every node in the window (0 if none).
  double max_value(Metric m) const;
  double latest_time() const { return latest_s_; }
  double window() const { return window_s_; }

  // At most `max_points` of `points` for a chart `max_points / 2` pixels wide: per bucket
  // of equal time, its lowest and highest point in time order, so no spike is lost.
  static QList<QPointF> decimate(const QList<QPointF>& points, int max_points);

 private:
  struct Sample {
    double t_s;
    double tx, readings, latency_ms;
    double latency_p99_ms;  // over the node's reports of the last kP99WindowS
  };
  // The p99 of `q`'s latencies from `from_s` on (nearest rank).
  static double p99_latency(const std::deque<Sample>& q, double from_s);
  static constexpr int kMetrics = 4;
  struct Second {
    double t_s;                                // the whole second
    std::vector<std::optional<Sample>> nodes;  // each node's last sample in it
    double network[kMetrics] = {};             // network_value per Metric, kept on add
  };
  static double value(const Sample& s, Metric m);
  static double network_value(const Second& s, Metric m);

  double window_s_;
  double latest_s_ = 0;
  std::vector<std::deque<Sample>> samples_;
  std::deque<Second> seconds_;
};

}  // namespace itc::studio
