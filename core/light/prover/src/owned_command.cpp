// The device-side command check (see itc/light/owned_command.hpp).
#include "itc/light/owned_command.hpp"

#include "itc/command_signing.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/light/genesis_trust.hpp"

namespace itc::light {

Status verify_owned_command(State* state, const v1::Command& cmd, std::int64_t now_us,
                            std::int64_t max_header_age_us, CommandCheck* check) {
  if (check != nullptr) *check = CommandCheck{};
  const std::string who = "command " + std::to_string(cmd.nonce()) + " for " + cmd.device_id();
  if (cmd.owner_public_key().size() != kPublicKeySize) {
    return Status::PermissionDenied(who + ": signer key is " +
                                    std::to_string(cmd.owner_public_key().size()) +
                                    " bytes, expected 32");
  }
  // The signer's own key: whether the signer owns the device is the proof's to show.
  ITC_RETURN_IF_ERROR(verify_command(cmd, cmd.owner_public_key()));
  const std::string& proof = cmd.ownership_proof();
  const CommandCheck c =
      check_command_owner(state, reinterpret_cast<const std::uint8_t*>(proof.data()), proof.size(),
                          cmd.device_id().data(), cmd.device_id().size(),
                          reinterpret_cast<const std::uint8_t*>(cmd.owner_public_key().data()),
                          now_us, max_header_age_us);
  if (check != nullptr) *check = c;
  if (c.ok()) return Status::Ok();
  char why[256];
  describe_command_check(c, why, sizeof why);
  return Status::PermissionDenied(who + ": " + why);
}

Status trust_genesis_file(const std::string& path, State* state) {
  auto genesis = ledger::load_genesis(path);
  if (!genesis.ok()) return Status::InvalidArgument(path + ": " + genesis.status().message());
  if (Status s = trust_genesis(*genesis, state); !s.ok()) {
    return Status::InvalidArgument(path + ": " + s.message());
  }
  return Status::Ok();
}

}  // namespace itc::light
