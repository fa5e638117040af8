// A device's or gateway's signed frame as the conversion layer receives it: the RawFrame
// decoder, its canonical bytes and digest, and the signature check, alone and as a member
// of a batch (audit path against the batch root, one Ed25519 signature per root) with the
// real FrameVerifier and its cache of verified roots.
// Input: a serialized v1::RawFrame. Seeds are frames and batch members signed with the
// fixed key of "device-0" (fixed_keys.hpp).
#include <cstddef>
#include <cstdint>

#include "fixed_keys.hpp"
#include "itc/frame_signing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto device_key = itc::fuzz::key_from_name("device-0");
  static const auto public_key = *itc::crypto::Ed25519PublicKey::from_raw(device_key.public_key());
  itc::v1::RawFrame frame;
  if (!frame.ParseFromArray(data, static_cast<int>(size))) return 0;
  (void)itc::frame_digest(frame);
  (void)itc::verify_frame(frame, device_key.public_key());
  itc::FrameVerifier verifier(4);
  // Twice: the second call takes the cached-root path when the first one verified.
  (void)verifier.verify(frame, public_key);
  (void)verifier.verify(frame, public_key);
  return 0;
}
