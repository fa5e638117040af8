// Light clients on devices' behalf (see itc/light/device_verifiers.hpp).
#include "itc/light/device_verifiers.hpp"

#include "itc/light/owned_command.hpp"

namespace itc::light {

Result<std::unique_ptr<DeviceVerifiers>> DeviceVerifiers::from_genesis_file(
    const std::string& genesis_file, std::chrono::seconds max_header_age) {
  auto root = std::make_unique<State>();
  ITC_RETURN_IF_ERROR(trust_genesis_file(genesis_file, root.get()));
  return std::unique_ptr<DeviceVerifiers>(new DeviceVerifiers(*root, max_header_age));
}

Status DeviceVerifiers::verify(const v1::Command& cmd, std::int64_t now_us) {
  std::lock_guard lock(mu_);
  auto it = states_.find(cmd.device_id());
  if (it == states_.end()) {
    it = states_.emplace(cmd.device_id(), std::make_unique<State>(root_)).first;
  }
  return verify_owned_command(it->second.get(), cmd, now_us, max_header_age_us_);
}

std::size_t DeviceVerifiers::devices() const {
  std::lock_guard lock(mu_);
  return states_.size();
}

}  // namespace itc::light
