// Owner-signed commands: what a device's on-chain owner signs, and the check a device (or
// the node delivering to it) runs before acting.
#pragma once

#include <string>
#include <string_view>

#include "itc/crypto.hpp"
#include "itc/export.hpp"
#include "itc/status.hpp"
#include "itc/v1/device.pb.h"

namespace itc {

// "itc-command-v1" || deterministic protobuf bytes of the command without its signature
// and its ownership proof (which is not signed: it proves itself).
ITC_EXPORT std::string command_signing_bytes(const v1::Command& cmd);
// Sets owner_public_key and signature.
ITC_EXPORT void sign_command(v1::Command* cmd, const crypto::Ed25519PrivateKey& owner_key);
// PermissionDenied with the reason: wrong owner key, or a signature that does not verify.
ITC_EXPORT Status verify_command(const v1::Command& cmd, std::string_view registered_owner_key);

}  // namespace itc
