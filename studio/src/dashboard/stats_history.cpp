#include "dashboard/stats_history.hpp"

#include <algorithm>
#include <cmath>

namespace itc::studio {

void StatsHistory::add(int node, double t_s, const v1::NodeStats& stats) {
  if (node < 0) return;
  const auto at = static_cast<std::size_t>(node);
  if (at >= samples_.size()) samples_.resize(at + 1);
  latest_s_ = std::max(latest_s_, t_s);
  Sample sample{t_s, stats.committed_tx_per_s(), stats.readings_per_s(), stats.commit_latency_ms(),
                0};
  samples_[at].push_back(sample);
  samples_[at].back().latency_p99_ms = sample.latency_p99_ms =
      p99_latency(samples_[at], t_s - kP99WindowS);
  const double second = std::floor(t_s);
  if (seconds_.empty() || seconds_.back().t_s < second) seconds_.push_back({second, {}});
  // A late sample (an earlier second) goes to the second it belongs to, if still held.
  auto it = std::find_if(seconds_.rbegin(), seconds_.rend(),
                         [&](const Second& s) { return s.t_s <= second; });
  if (it != seconds_.rend() && it->t_s == second) {
    if (it->nodes.size() <= at) it->nodes.resize(at + 1);
    it->nodes[at] = sample;
    // The network's values of this second, once per sample rather than on every redraw.
    for (int m = 0; m < kMetrics; ++m) it->network[m] = network_value(*it, static_cast<Metric>(m));
  }
  const double oldest = latest_s_ - window_s_;
  for (auto& q : samples_) {
    while (!q.empty() && q.front().t_s < oldest) q.pop_front();
  }
  while (!seconds_.empty() && seconds_.front().t_s < oldest) seconds_.pop_front();
}

double StatsHistory::value(const Sample& s, Metric m) {
  switch (m) {
    case Metric::kCommittedTxPerS:
      return s.tx;
    case Metric::kReadingsPerS:
      return s.readings;
    case Metric::kCommitLatencyMs:
      return s.latency_ms;
    case Metric::kCommitLatencyP99Ms:
      return s.latency_p99_ms;
  }
  return 0;
}

double StatsHistory::p99_latency(const std::deque<Sample>& q, double from_s) {
  std::vector<double> v;
  for (auto it = q.rbegin(); it != q.rend() && it->t_s > from_s; ++it) v.push_back(it->latency_ms);
  if (v.empty()) return 0;
  // Nearest rank: the smallest value with at least 99 % of the reports at or below it.
  const auto rank = static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(v.size())));
  const auto nth = v.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(v.begin(), nth, v.end());
  return *nth;
}

double StatsHistory::network_value(const Second& s, Metric m) {
  std::vector<double> v;
  v.reserve(s.nodes.size());
  for (const auto& n : s.nodes) {
    if (n) v.push_back(value(*n, m));
  }
  if (v.empty()) return 0;
  if (m == Metric::kCommitLatencyMs || m == Metric::kCommitLatencyP99Ms) {
    return *std::max_element(v.begin(), v.end());
  }
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

QList<QPointF> StatsHistory::points(int node, Metric m, double from_s) const {
  QList<QPointF> out;
  if (node < 0 || static_cast<std::size_t>(node) >= samples_.size()) return out;
  const auto& q = samples_[static_cast<std::size_t>(node)];
  auto first = std::lower_bound(q.begin(), q.end(), from_s,
                                [](const Sample& s, double t) { return s.t_s < t; });
  out.reserve(static_cast<qsizetype>(q.end() - first));
  for (auto it = first; it != q.end(); ++it) out.append(QPointF(it->t_s, value(*it, m)));
  return out;
}

QList<QPointF> StatsHistory::network_points(Metric m, double from_s) const {
  QList<QPointF> out;
  auto first = std::lower_bound(seconds_.begin(), seconds_.end(), from_s,
                                [](const Second& s, double t) { return s.t_s < t; });
  out.reserve(static_cast<qsizetype>(seconds_.end() - first));
  for (auto it = first; it != seconds_.end(); ++it) {
    out.append(QPointF(it->t_s, it->network[static_cast<int>(m)]));
  }
  return out;
}

double StatsHistory::max_value(Metric m) const {
  double best = 0;
  for (const auto& q : samples_) {
    for (const Sample& s : q) best = std::max(best, value(s, m));
  }
  return best;
}

QList<QPointF> StatsHistory::decimate(const QList<QPointF>& points, int max_points) {
  if (max_points < 2 || points.size() <= max_points) return points;
  QList<QPointF> out;
  const int buckets = max_points / 2;
  out.reserve(buckets * 2);
  const double t0 = points.front().x();
  const double width = (points.back().x() - t0) / buckets;
  qsizetype i = 0;
  for (int b = 0; b < buckets && i < points.size(); ++b) {
    const double end = b == buckets - 1 ? points.back().x() : t0 + width * (b + 1);
    qsizetype lo = i, hi = i;
    for (; i < points.size() && points[i].x() <= end; ++i) {
      if (points[i].y() < points[lo].y()) lo = i;
      if (points[i].y() > points[hi].y()) hi = i;
    }
    if (lo == hi) {
      out.append(points[lo]);
    } else {
      out.append(points[std::min(lo, hi)]);
      out.append(points[std::max(lo, hi)]);
    }
  }
  return out;
}

}  // namespace itc::studio
