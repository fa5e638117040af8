// NodeMetrics: what Studio reads from a node's Prometheus `/metrics` because the event
// stream does not carry it — the state divergences the node detected and its data dir's
// disk (free and total bytes, and the node.disk watermark it is below: warn logs, refuse
// refuses new work).
// Thread safety: pure functions and values.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace itc::studio {

enum class DiskLevel { kOk, kWarn, kRefuse };

struct NodeMetrics {
  bool read = false;  // /metrics has been asked and answered (or failed) since the node is live
  double divergences = 0;
  // The data dir's filesystem; disk_known is false when the node exports no disk figures
  // (node.disk disabled).
  bool disk_known = false;
  DiskLevel disk_level = DiskLevel::kOk;
  double disk_free_bytes = 0;
  double disk_size_bytes = 0;
  QDateTime disk_level_since;  // when Studio first read the current level
};

// The value of the Prometheus sample `family` (any labels) in `text`, summed; -1 if absent.
// `family` may carry labels to pick one series: `itc_disk_watermark{level="refuse"}`.
double prometheus_value(const QByteArray& text, const QByteArray& family);

// The figures of a /metrics answer; `before` is what was read last, so the level's since
// carries over while the level stays (now: the time of this reading).
NodeMetrics read_node_metrics(const QByteArray& text, const NodeMetrics& before,
                              const QDateTime& now);

// "61.2 GB" (SI prefixes, as the charts' axes).
QString byte_size(double bytes);
// "validator-2: 1.2 GB free of 252 GB (0.5 %), below the refuse watermark: refuses new work".
QString disk_sentence(const QString& node, const NodeMetrics& m);

}  // namespace itc::studio
