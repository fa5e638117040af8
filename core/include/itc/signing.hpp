// Canonical bytes that get signed or hashed, one place for each message kind, with a
// domain-separation prefix so a signature for one kind never verifies as another.
#pragma once

#include <string>
#include <string_view>

#include "itc/crypto.hpp"
#include "itc/status.hpp"
#include "itc/v1/device.pb.h"
#include "itc/v1/ledger.pb.h"

namespace itc {

// "itc-frame-v1" || deterministic protobuf bytes of the frame without its signature.
std::string frame_signing_bytes(const v1::RawFrame& frame);
// SHA-256 of the frame's deterministic bytes including the signature.
std::string frame_digest(const v1::RawFrame& frame);
void sign_frame(v1::RawFrame* frame, const crypto::Ed25519PrivateKey& device_key);
// PermissionDenied naming the device if the signature does not verify.
Status verify_frame(const v1::RawFrame& frame, std::string_view device_public_key);
// The same with a key parsed once (the hot path: one key per device, many frames).
Status verify_frame(const v1::RawFrame& frame, const crypto::Ed25519PublicKey& device_key);

// "itc-command-v1" || deterministic protobuf bytes of the command without its signature.
std::string command_signing_bytes(const v1::Command& cmd);
// Sets owner_public_key and signature.
void sign_command(v1::Command* cmd, const crypto::Ed25519PrivateKey& owner_key);
// PermissionDenied with the reason: wrong owner key, or a signature that does not verify.
Status verify_command(const v1::Command& cmd, std::string_view registered_owner_key);

// Merkle leaf bytes of a reading: deterministic protobuf bytes.
std::string reading_leaf_bytes(const v1::Reading& reading);
// Merkle root over the block's readings.
std::string readings_merkle_root(const v1::Block& block);
// SHA-256 over "itc-block-v1" and the header's fields in fixed-width big-endian order.
std::string block_hash(const v1::BlockHeader& header);
// Checks the block's hash, its Merkle root and its reading count.
Status verify_block(const v1::Block& block);

}  // namespace itc
