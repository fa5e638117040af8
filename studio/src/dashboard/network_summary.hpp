// NetworkSummary: what an operator checks first about a network, from what its nodes'
// event streams said — validators up of n and the faults it can still take (f), the current
// view and its primary, the height, the finality latency, the devices online / stale /
// offline / fault, the plugins failed — each with a state (fine, watch, act) that the
// header strip shows as a colour and a symbol.
// Thread safety: pure functions of the session's state; GUI thread.
#pragma once

#include <QString>
#include <vector>

#include "session/network_session.hpp"

namespace itc::studio {

enum class Health { kUnknown, kGood, kWarning, kBad };

// The symbol that carries a health state besides its colour (for colour-blind users).
QString health_symbol(Health h);

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

std::vector<SummaryItem> summarize(const NetworkSession& session, qint64 now_ms);

}  // namespace itc::studio
