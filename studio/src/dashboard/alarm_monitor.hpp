// AlarmMonitor: the network's alarms, raised and cleared from what the nodes' event streams
// say (stream state and Event.stats) and, for what the stream does not carry, each node's
// /metrics read every few seconds: a node down or silent, a view-change storm, a peer a node
// does not see, a state divergence a node detected, a node's disk below its warn or refuse
// watermark, plugins failed, too many devices of the fleet offline. Each alarm keeps the time it
// was raised ("since"). Thread safety: GUI thread only.
#pragma once

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <deque>
#include <functional>
#include <vector>

#include "dashboard/network_summary.hpp"
#include "dashboard/node_metrics.hpp"
#include "session/network_session.hpp"

namespace itc::studio {

struct Alarm {
  QString key;  // what is wrong and where, e.g. "down/validator-1" (stable while raised)
  QString text;
  Health severity = Health::kWarning;
  QDateTime since;
};

class AlarmMonitor : public QObject {
  Q_OBJECT

 public:
  // View changes in this many seconds on one node make a storm. Default: 3 in 60 s.
  static constexpr int kStormViews = 3;
  static constexpr double kStormWindowS = 60;
  // A fleet with more than this share of its devices offline raises an alarm.
  static constexpr double kOfflineRatio = 0.10;
  // A node's first connection may take this long before "down" is raised.
  static constexpr qint64 kStartGraceMs = 5000;
  // How often each live node's /metrics is read (divergences, disk). Default: 5 s.
  static constexpr int kMetricsPollMs = 5000;

  explicit AlarmMonitor(NetworkSession* session, QObject* parent = nullptr);

  // The alarms raised now, oldest first.
  std::vector<Alarm> active() const;
  // Evaluates every rule now (also done on each event and once a second).
  void evaluate();
  // What node i's /metrics said last (read every kMetricsPollMs while it is live).
  const NodeMetrics& metrics(int i) const { return metrics_[static_cast<std::size_t>(i)]; }
  const std::vector<NodeMetrics>& metrics() const { return metrics_; }

 signals:
  void changed();

 private:
  struct NodeMemory {
    bool was_live = false;
    std::deque<std::pair<qint64, std::uint64_t>> views;  // (ms, view) over the storm window
    bool metrics_asked = false;                          // a /metrics request is out
  };
  // Raises `key` in `next`, keeping the time it was first raised (or `since`, if given).
  void raise(QHash<QString, Alarm>& next, const QString& key, const QString& text, Health sev,
             const QDateTime& since = {});
  void read_metrics();
  void read_metrics_of(int i);

  NetworkSession* session_;
  QHash<QString, Alarm> active_;
  std::vector<NodeMemory> memory_;
  std::vector<NodeMetrics> metrics_;
  qint64 started_ms_;
  QTimer tick_;
  QTimer metrics_poll_;
};

}  // namespace itc::studio
