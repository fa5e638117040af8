#include "dashboard/stats_history.hpp"

#include <algorithm>

namespace itc::studio {

void StatsHistory::add(int node, double t_s, const v1::NodeStats& stats) {
  if (node < 0) return;
  if (static_cast<std::size_t>(node) >= samples_.size()) samples_.resize(node + 1);
  latest_s_ = std::max(latest_s_, t_s);
  auto& q = samples_[static_cast<std::size_t>(node)];
  q.push_back({t_s, stats.committed_tx_per_s(), stats.readings_per_s(), stats.commit_latency_ms()});
  for (auto& other : samples_) {
    while (!other.empty() && other.front().t_s < latest_s_ - window_s_) other.pop_front();
  }
}

double StatsHistory::value(const Sample& s, Metric m) {
  switch (m) {
    case Metric::kCommittedTxPerS:
      return s.tx;
    case Metric::kReadingsPerS:
      return s.readings;
    case Metric::kCommitLatencyMs:
      return s.latency_ms;
  }
  return 0;
}

QList<QPointF> StatsHistory::points(int node, Metric m) const {
  QList<QPointF> out;
  if (node < 0 || static_cast<std::size_t>(node) >= samples_.size()) return out;
  const auto& q = samples_[static_cast<std::size_t>(node)];
  out.reserve(static_cast<qsizetype>(q.size()));
  for (const Sample& s : q) out.append(QPointF(s.t_s, value(s, m)));
  return out;
}

double StatsHistory::max_value(Metric m) const {
  double best = 0;
  for (const auto& q : samples_) {
    for (const Sample& s : q) best = std::max(best, value(s, m));
  }
  return best;
}

}  // namespace itc::studio
