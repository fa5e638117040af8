#include "itc/frame_signing.hpp"

#include <deque>
#include <mutex>
#include <unordered_set>

#include "itc/canonical_bytes.hpp"
#include "itc/merkle.hpp"

namespace itc {
namespace {

constexpr std::string_view kFrameDomain = "itc-frame-v1";
constexpr std::string_view kFrameBatchDomain = "itc-frame-batch-v1";

}  // namespace

std::string frame_signing_bytes(const v1::RawFrame& frame) {
  v1::RawFrame unsigned_frame = frame;
  unsigned_frame.clear_signature();
  unsigned_frame.clear_batch();
  return domain_separated_bytes(kFrameDomain, unsigned_frame);
}

std::string frame_batch_signing_bytes(std::string_view root) {
  return std::string(kFrameBatchDomain) + std::string(root);
}

void sign_frame_batch(const std::vector<v1::RawFrame*>& frames,
                      const crypto::Ed25519PrivateKey& key) {
  if (frames.empty()) return;
  std::vector<std::string> leaves;
  leaves.reserve(frames.size());
  for (const v1::RawFrame* f : frames) leaves.push_back(merkle::leaf_hash(frame_signing_bytes(*f)));
  merkle::AllInclusionProofs proofs = merkle::all_inclusion_proofs(leaves);
  const std::string signature = key.sign(frame_batch_signing_bytes(proofs.root));
  for (std::size_t i = 0; i < frames.size(); ++i) {
    v1::FrameBatchProof* b = frames[i]->mutable_batch();
    b->set_root(proofs.root);
    b->set_index(i);
    b->set_size(frames.size());
    b->clear_path();
    for (std::string& p : proofs.paths[i]) b->add_path(std::move(p));
    frames[i]->set_signature(signature);
  }
}

namespace {

// The batch proof of `frame` holds: its leaf is in the root it names.
Status check_batch_path(const v1::RawFrame& frame, const std::string& who) {
  const v1::FrameBatchProof& b = frame.batch();
  const std::vector<std::string> path(b.path().begin(), b.path().end());
  if (!merkle::verify_inclusion(merkle::leaf_hash(frame_signing_bytes(frame)), b.index(), b.size(),
                                path, b.root())) {
    return Status::PermissionDenied(who +
                                    ": not in the signed batch it names (audit path "
                                    "does not lead to the batch root)");
  }
  return Status::Ok();
}

}  // namespace

std::string frame_digest(const v1::RawFrame& frame) {
  return crypto::sha256(domain_separated_bytes("", frame));
}

void sign_frame(v1::RawFrame* frame, const crypto::Ed25519PrivateKey& device_key) {
  frame->clear_signature();
  frame->set_signature(device_key.sign(frame_signing_bytes(*frame)));
}

Status verify_frame(const v1::RawFrame& frame, const crypto::Ed25519PublicKey& device_key) {
  const std::string who = "frame from " + frame.device_id();
  if (!device_key.valid()) return Status::PermissionDenied(who + ": no valid device key");
  if (frame.signature().empty()) return Status::PermissionDenied(who + " is not signed");
  if (frame.has_batch()) {
    ITC_RETURN_IF_ERROR(check_batch_path(frame, who));
    if (!device_key.verify(frame_batch_signing_bytes(frame.batch().root()), frame.signature())) {
      return Status::PermissionDenied(who + ": batch signature does not verify against the key");
    }
    return Status::Ok();
  }
  if (!device_key.verify(frame_signing_bytes(frame), frame.signature())) {
    return Status::PermissionDenied(who + ": signature does not verify against the device key");
  }
  return Status::Ok();
}

Status verify_frame(const v1::RawFrame& frame, std::string_view device_public_key) {
  const std::string who = "frame from " + frame.device_id();
  if (device_public_key.size() != crypto::kEd25519PublicKeySize) {
    return Status::PermissionDenied(who + ": device key is " +
                                    std::to_string(device_public_key.size()) +
                                    " bytes, expected 32");
  }
  auto key = crypto::Ed25519PublicKey::from_raw(device_public_key);
  if (!key.ok()) return Status::PermissionDenied(who + ": " + key.status().message());
  return verify_frame(frame, *key);
}

struct FrameVerifier::Impl {
  std::size_t capacity;
  std::mutex mu;
  std::unordered_set<std::string> verified;  // key || root || signature
  std::deque<std::string> order;
};

FrameVerifier::FrameVerifier(std::size_t capacity) : impl_(std::make_unique<Impl>()) {
  impl_->capacity = capacity;
}

FrameVerifier::~FrameVerifier() = default;

Status FrameVerifier::verify(const v1::RawFrame& frame,
                             const crypto::Ed25519PublicKey& device_key) {
  if (!frame.has_batch() || !device_key.valid()) return verify_frame(frame, device_key);
  const std::string who = "frame from " + frame.device_id();
  ITC_RETURN_IF_ERROR(check_batch_path(frame, who));
  std::string id = device_key.raw() + frame.batch().root() + frame.signature();
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->verified.count(id)) return Status::Ok();
  }
  if (!device_key.verify(frame_batch_signing_bytes(frame.batch().root()), frame.signature())) {
    return Status::PermissionDenied(who + ": batch signature does not verify against the key");
  }
  std::lock_guard lock(impl_->mu);
  if (impl_->verified.insert(id).second) {
    impl_->order.push_back(std::move(id));
    if (impl_->order.size() > impl_->capacity) {
      impl_->verified.erase(impl_->order.front());
      impl_->order.pop_front();
    }
  }
  return Status::Ok();
}

}  // namespace itc
