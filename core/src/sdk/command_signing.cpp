#include "itc/command_signing.hpp"

#include "common/ledger_encoding.hpp"
#include "itc/canonical_bytes.hpp"

namespace itc {
namespace {

constexpr std::string_view kCommandDomain = "itc-command-v1";

}  // namespace

std::string command_signing_bytes(const v1::Command& cmd) {
  v1::Command unsigned_cmd = cmd;
  unsigned_cmd.clear_signature();
  unsigned_cmd.clear_ownership_proof();  // proves itself; see device.proto
  return domain_separated_bytes(kCommandDomain, unsigned_cmd);
}

void sign_command(v1::Command* cmd, const crypto::Ed25519PrivateKey& owner_key) {
  cmd->clear_signature();
  cmd->set_owner_public_key(owner_key.public_key());
  cmd->set_signature(owner_key.sign(command_signing_bytes(*cmd)));
}

Status verify_command(const v1::Command& cmd, std::string_view registered_owner_key) {
  const std::string who = "command " + std::to_string(cmd.nonce()) + " for " + cmd.device_id();
  if (cmd.signature().empty()) return Status::PermissionDenied(who + " is not signed");
  if (cmd.owner_public_key() != registered_owner_key) {
    return Status::PermissionDenied(who + ": signed by key " +
                                    ledger::internal::short_hex(cmd.owner_public_key()) +
                                    ", but the device's registered owner is " +
                                    ledger::internal::short_hex(registered_owner_key));
  }
  if (!crypto::ed25519_verify(registered_owner_key, command_signing_bytes(cmd), cmd.signature())) {
    return Status::PermissionDenied(who + ": signature does not verify against the owner key");
  }
  return Status::Ok();
}

}  // namespace itc
