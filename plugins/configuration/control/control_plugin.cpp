// The control plugin: the node's command gateway (itc.command-gateway.v1). It learns each
// device's owner from topics::kRegistrations and admits only commands its owner signed.
#include <chrono>
#include <memory>
#include <string>

#include "command_authority.hpp"
#include "control_config.pb.h"
#include "itc/abi.hpp"
#include "itc/bus.hpp"
#include "itc/plugin.hpp"

namespace itc::control {
namespace {

constexpr std::uint32_t kDefaultMaxAgeS = 300;
constexpr std::string_view kStateType = "itc.control.Owners";
constexpr std::uint32_t kStateVersion = 1;

Result<std::uint32_t> parse_max_age(std::string_view bytes) {
  Config config;
  if (!config.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("config: not a valid itc.control.Config message");
  }
  const std::uint32_t max_age = config.has_max_age_s() ? config.max_age_s() : kDefaultMaxAgeS;
  if (max_age < 1 || max_age > 86400) {
    return Status::InvalidArgument("max_age_s: must be 1..86400, got " + std::to_string(max_age));
  }
  return max_age;
}

class ControlPlugin final : public Plugin {
 public:
  Status validate_config(std::string_view config) const noexcept override {
    try {
      auto parsed = parse_max_age(config);
      return parsed.ok() ? Status::Ok() : parsed.status();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("control: ") + e.what());
    }
  }

  Status initialise(HostEnv& env, std::string_view config) noexcept override {
    try {
      auto max_age = parse_max_age(config);
      if (!max_age.ok()) return max_age.status();
      authority_ = std::make_unique<CommandAuthority>(env, std::chrono::seconds(*max_age));
      ITC_RETURN_IF_ERROR(env.bus().subscribe<v1::DeviceRegistration>(
          topics::kRegistrations,
          [this](const v1::DeviceRegistration& r) { authority_->register_device(r); }));
      return env.services()
          .provide<CommandGateway>(authority_.get())
          .WithContext("control: providing itc.command-gateway.v1");
    } catch (const std::exception& e) {
      return Status::Internal(std::string("control: initialise: ") + e.what());
    }
  }

  Status start() noexcept override {
    authority_->set_accepting(true);
    return Status::Ok();
  }

  Status drain() noexcept override {
    authority_->set_accepting(false);
    return Status::Ok();
  }

  Status export_state(v1::PluginState* out) noexcept override {
    try {
      out->Clear();
      out->set_type(std::string(kStateType));
      out->set_version(kStateVersion);
      Owners owners;
      for (const auto& [device, key] : authority_->owners()) {
        DeviceOwner* d = owners.add_devices();
        d->set_device_id(device);
        d->set_owner_public_key(key);
      }
      if (!owners.SerializeToString(out->mutable_data())) {
        return Status::Internal("control: owners cannot be serialized");
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("control: export_state: ") + e.what());
    }
  }

  Status import_state(const v1::PluginState& state) noexcept override {
    try {
      if (state.type().empty()) return Status::Ok();
      if (state.type() != kStateType || state.version() != kStateVersion) {
        return Status::Incompatible("control imports state " + std::string(kStateType) + " v" +
                                    std::to_string(kStateVersion) + ", not " + state.type() + " v" +
                                    std::to_string(state.version()));
      }
      Owners owners;
      if (!owners.ParseFromString(state.data())) {
        return Status::InvalidArgument("control: state data is not a valid itc.control.Owners");
      }
      for (const auto& d : owners.devices()) {
        v1::DeviceRegistration r;
        r.set_device_id(d.device_id());
        r.set_owner_public_key(d.owner_public_key());
        authority_->register_device(r);
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("control: import_state: ") + e.what());
    }
  }

  void stop() noexcept override {
    if (authority_) authority_->set_accepting(false);
  }

 private:
  std::unique_ptr<CommandAuthority> authority_;
};

}  // namespace
}  // namespace itc::control

ITC_PLUGIN(itc::control::ControlPlugin, "control", "1.0.0", "configuration", "itc.control.Config", "itc.command-gateway.v1", "")
