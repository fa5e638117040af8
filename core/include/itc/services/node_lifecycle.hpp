// NodeLifecycle: what a plugin may need to know about the node it runs in beyond its own
// lifecycle calls. Provided by the host itself, so it is always there:
//   auto* lifecycle = env.services().find<itc::NodeLifecycle>();
//
// A plugin that holds back its sources (a handler that waits while its backlog is full)
// must stop holding them back once stopping() is true: the node is draining its plugins
// along the data flow, and whatever is still in flight has to reach the plugin that can
// commit or save it. A waiting handler must also return when interruptions() changes:
// the host is about to hold the plugin's messages (hot swap) and waits for its handlers.
//
// Thread safety: stopping() may be called from any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace itc {

class NodeLifecycle {
 public:
  static constexpr std::string_view kServiceName = "itc.node-lifecycle.v1";
  virtual ~NodeLifecycle() = default;

  // True once the node has begun a clean stop (never false again in this process).
  virtual bool stopping() const = 0;

  // Changes each time the host needs handlers that wait for room to return now (and when
  // the stop begins). Note it when you start waiting; stop waiting when it differs.
  virtual std::uint64_t interruptions() const = 0;
};

}  // namespace itc
