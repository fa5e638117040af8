// The check every device-side verifier runs on an owner-signed command (a lamp in
// sim-lighting, a gateway writing to an MQTT or Modbus device on the device's behalf):
// the signature verifies against the signer's key, and the attached ownership proof
// shows, in a fresh certified state, that the signer owns the device
// (itc/light/command_check.hpp). One place, so every verifier refuses alike.
// Thread safety: none per State (the caller guards it); otherwise pure.
#pragma once

#include <cstdint>
#include <string>

#include "itc/light/command_check.hpp"
#include "itc/status.hpp"
#include "itc/v1/device.pb.h"
#include "itc/v1/ledger.pb.h"

namespace itc::light {

// Ok, or PermissionDenied whose message says why: "command 7 for lamp-1 is not signed",
// "...: signature does not verify", or the ownership verdict ("not_owner: ...",
// "proof_refused: stale_header (...)", "header_too_old: ...", "no_proof: ...").
// `check`, if given, receives the ownership verdict (kAccepted when the signature failed
// first and the proof was not looked at).
Status verify_owned_command(State* state, const v1::Command& cmd, std::int64_t now_us,
                            std::int64_t max_header_age_us, CommandCheck* check = nullptr);

// A light State trusting the genesis in `path` (JSON, as the validators read it), for a
// verifier configured with a genesis file. InvalidArgument naming the file and the cause.
Status trust_genesis_file(const std::string& path, State* state);

}  // namespace itc::light
