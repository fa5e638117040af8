// CommandGateway: where owner-signed device commands enter the node. Provided by the
// configuration-layer `control` plugin; the admin API's POST /v1/commands calls it.
#pragma once

#include <string_view>

#include "itc/v1/device.pb.h"

namespace itc {

class CommandGateway {
 public:
  static constexpr std::string_view kServiceName = "itc.command-gateway.v1";
  virtual ~CommandGateway() = default;

  // Checks the command's authorisation and, if it holds, sends it towards the device.
  // Returns accepted=false with a reason naming what was wrong otherwise.
  virtual v1::CommandResult submit(const v1::Command& cmd) = 0;
};

}  // namespace itc
