// The light clients a gateway runs on behalf of devices that cannot verify anything
// themselves (MQTT, Modbus devices speak unsigned protocols): one light State per device,
// each made from the network's genesis at the device's first command and moving forward
// only with the proofs that device's commands carry — as the device itself would if it
// could. A command is written to the device only if verify_owned_command accepts it
// (itc/light/owned_command.hpp, the check the lamps run).
// Thread safety: all methods may be called from any thread (one mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "itc/light/client_state.hpp"
#include "itc/status.hpp"
#include "itc/v1/device.pb.h"

namespace itc::light {

class DeviceVerifiers {
 public:
  // Trusts the genesis in `genesis_file` (InvalidArgument naming the file and the cause).
  static Result<std::unique_ptr<DeviceVerifiers>> from_genesis_file(
      const std::string& genesis_file, std::chrono::seconds max_header_age);

  // Ok, or PermissionDenied with the reason (verify_owned_command's), for `cmd` at
  // wall-clock `now_us`.
  Status verify(const v1::Command& cmd, std::int64_t now_us);

  // Devices that have a light State so far, and the bytes each holds.
  std::size_t devices() const;
  static constexpr std::size_t kBytesPerDevice = sizeof(State);

 private:
  DeviceVerifiers(const State& root, std::chrono::seconds max_header_age)
      : root_(root), max_header_age_us_(max_header_age.count() * 1'000'000) {}

  const State root_;
  const std::int64_t max_header_age_us_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<State>, std::less<>> states_;  // by device id
};

}  // namespace itc::light
