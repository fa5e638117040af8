// relay-gateway (tests only): a node that lies. It provides itc.command-gateway.v1 like
// `control`, but forwards every command to the devices unchecked — a stranger's, a replayed
// one, one with a forged ownership proof — and reports it accepted. Lamps that verify
// commands themselves (sim-lighting, verify: chain) are tested behind it: whatever this
// node forwards, the lamp's own verdict decides.
// Thread safety: submit may be called from any thread (the bus is thread-safe).
#include "itc/abi.hpp"
#include "itc/bus.hpp"
#include "itc/services/command_gateway.hpp"
#include "itc/typed_plugin.hpp"
#include "relay_gateway.pb.h"

namespace itc_test::relay_gateway {
namespace {

class RelayGatewayPlugin final : public itc::TypedPlugin<Config>, public itc::CommandGateway {
 public:
  itc::Status configure(itc::HostEnv& env, const Config& /*config*/) override {
    env_ = &env;
    return env.services().provide<itc::CommandGateway>(this);
  }
  itc::Status start() noexcept override { return itc::Status::Ok(); }
  itc::Status drain() noexcept override { return itc::Status::Ok(); }
  void stop() noexcept override {}

  itc::v1::CommandResult submit(const itc::v1::Command& cmd) override {
    itc::v1::CommandResult result;
    result.set_device_id(cmd.device_id());
    result.set_nonce(cmd.nonce());
    itc::Status s = env_->bus().publish_value(itc::topics::kCommands, cmd);
    result.set_accepted(s.ok());
    result.set_reason(s.ok() ? "relayed unchecked" : s.ToString());
    return result;
  }

 private:
  itc::HostEnv* env_ = nullptr;
};

}  // namespace
}  // namespace itc_test::relay_gateway

ITC_PLUGIN(itc_test::relay_gateway::RelayGatewayPlugin, "relay-gateway", "1.0.0", "configuration",
           "itc_test.relay_gateway.Config", "itc.command-gateway.v1", "")
