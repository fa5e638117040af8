// A light client's trust root from a genesis (the validator set: keys, power 1 each),
// for hosts that read genesis files with protobuf (itc-light, tests); a device gets the
// same Validator array from its provisioning.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "itc/light/light_client.hpp"
#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::light {

// InvalidArgument naming the cause when the genesis does not fit a light State (more
// than kMaxValidators validators, a chain id over kMaxChainId bytes, a key not 32 bytes).
Status trust_genesis(const v1::Genesis& genesis, State* state);
// The same, then the checkpoint: the header at `height` hashes to `hash` (32 bytes).
Status trust_checkpoint(const v1::Genesis& genesis, std::uint64_t height, const std::string& hash,
                        State* state);

}  // namespace itc::light
