// The plugin lifecycle the host drives: every state change it may make, in one table.
//
//   DISCOVERED ──▶ LOADED ──▶ INITIALISED ──▶ RUNNING ◀──▶ DRAINING ──▶ STOPPED ──▶ UNLOADED
//        │           │             │                          │
//        └───────────┴─────────────┴──────────▶ FAILED ◀──────┘
//
// FAILED leaves by UNLOADED (unload, stop), or by DRAINING when a failed swap left the old
// instance in place (it is drained and stopped like a running one). DISCOVERED → DISCOVERED
// announces a new slot; UNLOADED → UNLOADED is an unload of an unloaded plugin (idempotent).
// Anything else is a bug in the host: PluginRuntime refuses it and logs it.
// Thread safety: pure functions over a constant table.
#pragma once

#include <span>
#include <string>

#include "itc/v1/plugin.pb.h"

namespace itc::host {

struct LifecycleTransition {
  v1::LifecycleState from;
  v1::LifecycleState to;
  const char* when;  // what the host is doing when it makes this change
};

// The table, in lifecycle order.
std::span<const LifecycleTransition> lifecycle_transitions();

// True if the table holds from → to.
bool lifecycle_allows(v1::LifecycleState from, v1::LifecycleState to);

// "RUNNING → DRAINING" (for logs and messages).
std::string transition_name(v1::LifecycleState from, v1::LifecycleState to);

}  // namespace itc::host
