// See plugin_lifecycle.hpp.
#include "host/plugin_lifecycle.hpp"

#include <algorithm>

namespace itc::host {
namespace {

using v1::DISCOVERED;
using v1::DRAINING;
using v1::FAILED;
using v1::INITIALISED;
using v1::LOADED;
using v1::RUNNING;
using v1::STOPPED;
using v1::UNLOADED;

constexpr LifecycleTransition kTransitions[] = {
    {DISCOVERED, DISCOVERED, "a new slot is announced (start, load)"},
    {DISCOVERED, LOADED, "its library or package opened and was checked"},
    {DISCOVERED, FAILED, "its library or package could not be opened"},
    {LOADED, INITIALISED, "config parsed, instance created and initialised"},
    {LOADED, FAILED, "dependencies, config, create or initialise failed"},
    {INITIALISED, RUNNING, "start() succeeded"},
    {INITIALISED, FAILED, "start() failed, or a plugin it needs did not start"},
    {RUNNING, DRAINING, "stop, unload, or a hot swap holds its messages"},
    {DRAINING, RUNNING, "a hot swap committed, or rolled back and the old version resumed"},
    {DRAINING, FAILED, "a rolled-back swap could not resume the old version"},
    {DRAINING, STOPPED, "drained and stopped (stop, unload)"},
    {FAILED, DRAINING, "stop or unload of a failed swap's old instance"},
    {FAILED, UNLOADED, "unload or stop of a failed plugin"},
    {STOPPED, UNLOADED, "its library closed"},
    {UNLOADED, UNLOADED, "unload of an unloaded plugin"},
};

}  // namespace

std::span<const LifecycleTransition> lifecycle_transitions() { return kTransitions; }

bool lifecycle_allows(v1::LifecycleState from, v1::LifecycleState to) {
  return std::any_of(std::begin(kTransitions), std::end(kTransitions),
                     [&](const LifecycleTransition& t) { return t.from == from && t.to == to; });
}

std::string transition_name(v1::LifecycleState from, v1::LifecycleState to) {
  return v1::LifecycleState_Name(from) + " → " + v1::LifecycleState_Name(to);
}

}  // namespace itc::host
