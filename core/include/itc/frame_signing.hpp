// Device frames: what a device (or the gateway speaking for it) signs, alone or as a batch
// under one signature, and the checks normalize runs on every frame.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "itc/crypto.hpp"
#include "itc/export.hpp"
#include "itc/status.hpp"
#include "itc/v1/device.pb.h"

namespace itc {

// "itc-frame-v1" || deterministic protobuf bytes of the frame without its signature and
// batch proof.
ITC_EXPORT std::string frame_signing_bytes(const v1::RawFrame& frame);
// "itc-frame-batch-v1" || the batch's Merkle root: what a batch signature covers.
ITC_EXPORT std::string frame_batch_signing_bytes(std::string_view root);
// Signs all `frames` with one signature: each gets the batch root, its index and audit
// path in `batch`, and the shared signature.
ITC_EXPORT void sign_frame_batch(const std::vector<v1::RawFrame*>& frames,
                                 const crypto::Ed25519PrivateKey& key);
// SHA-256 of the frame's deterministic bytes including the signature.
ITC_EXPORT std::string frame_digest(const v1::RawFrame& frame);
ITC_EXPORT void sign_frame(v1::RawFrame* frame, const crypto::Ed25519PrivateKey& device_key);
// PermissionDenied naming the device if the signature does not verify.
ITC_EXPORT Status verify_frame(const v1::RawFrame& frame, std::string_view device_public_key);
// The same with a key parsed once (the hot path: one key per device, many frames).
// A batch-signed frame is checked by its audit path and the root's signature.
ITC_EXPORT Status verify_frame(const v1::RawFrame& frame,
                               const crypto::Ed25519PublicKey& device_key);

// verify_frame that remembers the batch roots it verified, so a batch of n frames costs
// one Ed25519 verification and n audit-path checks. Thread-safe; remembers the last
// `capacity` roots.
class ITC_EXPORT FrameVerifier {
 public:
  explicit FrameVerifier(std::size_t capacity = 4096);
  ~FrameVerifier();
  FrameVerifier(const FrameVerifier&) = delete;
  FrameVerifier& operator=(const FrameVerifier&) = delete;
  Status verify(const v1::RawFrame& frame, const crypto::Ed25519PublicKey& device_key);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace itc
