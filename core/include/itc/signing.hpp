// Canonical bytes that get signed or hashed, one place for each message kind, with a
// domain-separation prefix so a signature for one kind never verifies as another.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "itc/crypto.hpp"
#include "itc/status.hpp"
#include "itc/v1/device.pb.h"
#include "itc/v1/ledger.pb.h"

namespace itc {

// The deterministic protobuf encoding of `msg` (map entries sorted): the one encoding every
// canonical byte string, id and stored ledger value is built from.
std::string deterministic_bytes(const google::protobuf::MessageLite& msg);

// "itc-frame-v1" || deterministic protobuf bytes of the frame without its signature and
// batch proof.
std::string frame_signing_bytes(const v1::RawFrame& frame);
// "itc-frame-batch-v1" || the batch's Merkle root: what a batch signature covers.
std::string frame_batch_signing_bytes(std::string_view root);
// Signs all `frames` with one signature: each gets the batch root, its index and audit
// path in `batch`, and the shared signature.
void sign_frame_batch(const std::vector<v1::RawFrame*>& frames,
                      const crypto::Ed25519PrivateKey& key);
// SHA-256 of the frame's deterministic bytes including the signature.
std::string frame_digest(const v1::RawFrame& frame);
void sign_frame(v1::RawFrame* frame, const crypto::Ed25519PrivateKey& device_key);
// PermissionDenied naming the device if the signature does not verify.
Status verify_frame(const v1::RawFrame& frame, std::string_view device_public_key);
// The same with a key parsed once (the hot path: one key per device, many frames).
// A batch-signed frame is checked by its audit path and the root's signature.
Status verify_frame(const v1::RawFrame& frame, const crypto::Ed25519PublicKey& device_key);

// verify_frame that remembers the batch roots it verified, so a batch of n frames costs
// one Ed25519 verification and n audit-path checks. Thread-safe; remembers the last
// `capacity` roots.
class FrameVerifier {
 public:
  explicit FrameVerifier(std::size_t capacity = 4096) : capacity_(capacity) {}
  Status verify(const v1::RawFrame& frame, const crypto::Ed25519PublicKey& device_key);

 private:
  std::size_t capacity_;
  std::mutex mu_;
  std::unordered_set<std::string> verified_;  // key || root || signature
  std::deque<std::string> order_;
};

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
// Merkle leaf bytes of a transaction (its deterministic bytes) and the RFC 6962 root over
// a block's transactions (the empty tree's root when it has none).
std::string tx_leaf_bytes(const v1::Transaction& tx);
std::string transactions_root(const v1::Block& block);
// SHA-256 over "itc-block-v2" and the header's fields: fixed-width big-endian integers,
// variable-length fields with a 4-byte length first.
std::string block_hash(const v1::BlockHeader& header);
// Checks the block's hash, both Merkle roots and the reading and transaction counts.
// (The quorum certificate is checked against the validator set: ValidatorSet::verify_qc.)
Status verify_block(const v1::Block& block);

}  // namespace itc
