// The lifecycle interface every plugin implements. The host calls these methods from
// one thread at a time, in this order:
//   initialise -> [import_state] -> start -> ... -> drain -> [export_state] -> stop
// and after a failed hot swap also drain -> start (the old version resumes).
// No method may throw: return a Status. The ITC_PLUGIN macro (abi.hpp) exports the
// factory for a class implementing this interface.
#pragma once

#include <string_view>

#include "itc/host_env.hpp"
#include "itc/status.hpp"
#include "itc/v1/plugin.pb.h"

namespace itc {

class Plugin {
 public:
  virtual ~Plugin() = default;

  // Check `config` without side effects (used by `itc-node --check-config` and the admin
  // API's config validation). On a bad value return InvalidArgument whose message starts
  // with the field's name, e.g. "lamps: must be 1..100000, got 0"; the host turns that
  // into file:line:field. initialise() should apply the same checks.
  virtual Status validate_config(std::string_view /*config*/) const noexcept {
    return Status::Ok();
  }

  // Parse and check `config` (the serialized config message named in the info record;
  // empty if the plugin has none), subscribe to topics, provide services. Must not
  // produce messages yet. `env` outlives the plugin.
  virtual Status initialise(HostEnv& env, std::string_view config) noexcept = 0;

  // Begin producing and handling messages.
  virtual Status start() noexcept = 0;

  // Stop producing new work and finish what is in flight: after drain returns, the plugin
  // publishes nothing until start() is called again. Messages still addressed to it are
  // held by the host.
  virtual Status drain() noexcept = 0;

  // Hand over state to a successor (hot swap). Called only after drain().
  virtual Status export_state(v1::PluginState* out) noexcept {
    out->Clear();
    return Status::Ok();
  }

  // Adopt a predecessor's state. Called after initialise() and before start(). Refuse
  // with Status::Incompatible a type or version you do not understand.
  virtual Status import_state(const v1::PluginState& state) noexcept {
    if (state.type().empty()) return Status::Ok();
    return Status::Incompatible("plugin does not import state of type " + state.type());
  }

  // Release everything. Called after drain(); the object is destroyed next.
  virtual void stop() noexcept = 0;
};

}  // namespace itc
