// NetworkSummary: what an operator checks first about a network, from what its nodes'
// event streams said — validators up of n and the faults it can still take (f), the current
// view and its primary, the height, the finality latency, the devices online / stale /
// offline / fault, the plugins failed, the disks — each with a state (fine, watch, act) that the
// header strip shows as a colour and a symbol.
// Thread safety: pure functions of the session's state; GUI thread.
#pragma once

#include <QString>
#include <vector>

#include "app/health_state.hpp"
#include "dashboard/node_metrics.hpp"
#include "session/network_session.hpp"

namespace itc::studio {

struct SummaryItem {
  QString key;     // stable name, e.g. "validators" (object names, tests)
  QString label;   // "Validators"
  QString value;   // "3 of 4 up"
  QString detail;  // the tooltip: what the value is made of
  Health health = Health::kUnknown;
};

// Stats older than this (ms) count as a node that says nothing.
inline constexpr qint64 kSummaryStaleMs = 3000;

// The largest number of faulty validators a network of `n` survives: (n - 1) / 3.
int fault_tolerance(int n);

// A node is up when its event stream is live and its last stats are fresh at `now_ms`.
bool node_up(const NodeLink& n, qint64 now_ms);

// The header strip's items. `metrics` (one per node, from AlarmMonitor; may be empty) give
// the disk tile: the nodes below a watermark, else the least free space of the nodes up.
std::vector<SummaryItem> summarize(const NetworkSession& session, qint64 now_ms,
                                   const std::vector<NodeMetrics>& metrics = {});

}  // namespace itc::studio
