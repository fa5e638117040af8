// The control plugin: the node's command gateway (itc.command-gateway.v1). It learns each
// device's owner from topics::kRegistrations and admits only commands its owner signed.
#include <chrono>
#include <memory>
#include <string>

#include "command_authority.hpp"
#include "control_config.pb.h"
#include "itc/abi.hpp"
#include "itc/bus.hpp"
#include "itc/typed_plugin.hpp"

namespace itc::control {
namespace {

constexpr std::uint32_t kDefaultMaxAgeS = 300;
constexpr StateEnvelope kState{"itc.control.Owners", 1};

std::uint32_t max_age_s(const Config& config) {
  return config.has_max_age_s() ? config.max_age_s() : kDefaultMaxAgeS;
}

class ControlPlugin final : public TypedPlugin<Config, Owners> {
 public:
  ControlPlugin() : TypedPlugin(kState) {}

  // check_config: max_age_s's range is the proto's (itc.v1.range), checked by the host.

  Status configure(HostEnv& env, const Config& config) override {
    authority_ = std::make_unique<CommandAuthority>(env, std::chrono::seconds(max_age_s(config)));
    ITC_RETURN_IF_ERROR(env.bus().subscribe<v1::DeviceRegistration>(
        topics::kRegistrations,
        [this](const v1::DeviceRegistration& r) { authority_->register_device(r); }));
    return env.services()
        .provide<CommandGateway>(authority_.get())
        .WithContext("control: providing itc.command-gateway.v1");
  }

  Status start() noexcept override {
    authority_->set_accepting(true);
    return Status::Ok();
  }

  Status drain() noexcept override {
    authority_->set_accepting(false);
    return Status::Ok();
  }

  Status save_state(Owners* owners) override {
    for (const auto& [device, key] : authority_->owners()) {
      DeviceOwner* d = owners->add_devices();
      d->set_device_id(device);
      d->set_owner_public_key(key);
    }
    return Status::Ok();
  }

  Status restore_state(Owners owners) override {
    for (const auto& d : owners.devices()) {
      v1::DeviceRegistration r;
      r.set_device_id(d.device_id());
      r.set_owner_public_key(d.owner_public_key());
      authority_->register_device(r);
    }
    return Status::Ok();
  }

  void stop() noexcept override {
    if (authority_) authority_->set_accepting(false);
  }

 private:
  std::unique_ptr<CommandAuthority> authority_;
};

}  // namespace
}  // namespace itc::control

ITC_PLUGIN(itc::control::ControlPlugin, "control", "1.0.0", "configuration", "itc.control.Config",
           "itc.command-gateway.v1", "itc.ledger-store.v2?")
