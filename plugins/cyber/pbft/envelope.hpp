// Signed envelopes between validators. Every consensus message travels as an Envelope
// signed by its sender; a Commit's signature covers ledger::commit_signing_bytes so the
// commits of a block form its QuorumCertificate as they are.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itc/crypto.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/status.hpp"
#include "itc/v1/consensus.pb.h"

namespace itc::pbft {

// The sender number a follower's (full node's) envelopes carry: it is in no validator set,
// and validators open its frames by the key of its authenticated link.
inline constexpr std::uint32_t kFollowerSender = 0xFFFFFFFFu;

// "itc-pbft-v1" || len(chain_id) || chain_id || payload.
std::string envelope_signing_bytes(std::string_view chain_id, std::string_view payload);

// Serializes `msg` and signs it with `key` (validator msg.sender()).
v1::Envelope seal(const v1::ConsensusMessage& msg, const crypto::Ed25519PrivateKey& key,
                  std::string_view chain_id);

// Parses and checks an envelope: a known sender, a payload that parses and names the
// same sender, a valid signature. `claimed_peer`, when given, is the validator the
// transport authenticated; it must be the sender. Errors say which check failed.
Result<v1::ConsensusMessage> open(const v1::Envelope& envelope,
                                  const ledger::ValidatorSet& validators,
                                  std::optional<std::uint32_t> claimed_peer = std::nullopt);

// What a validator checks of a peer's frame before its protocol thread sees it: an
// Envelope that parses into `envelope` and open()s with `peer` as the authenticated sender,
// and a valid signature on every transaction of a pre-prepare (else the whole message is
// refused, naming the transaction) or of a forward (a bad one is removed and its reason
// appended to `dropped`). Errors say which check failed ("not an Envelope", ...).
Result<v1::ConsensusMessage> open_peer_frame(std::string_view frame,
                                             const ledger::ValidatorSet& validators,
                                             std::uint32_t peer, bool allow_unsigned_anchors,
                                             v1::Envelope* envelope,
                                             std::vector<std::string>* dropped);

// What a validator checks of a follower's frame: an Envelope from kFollowerSender whose
// payload parses and is signed by `follower_key` (the key its TLS link was authenticated
// with). Errors say which check failed, naming `follower_name`.
Result<v1::ConsensusMessage> open_follower_frame(std::string_view frame,
                                                 std::string_view follower_key,
                                                 std::string_view follower_name,
                                                 std::string_view chain_id);

// A short name for logs: "prepare(v3, #17)".
std::string describe(const v1::ConsensusMessage& msg);

}  // namespace itc::pbft
