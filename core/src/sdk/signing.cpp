// Canonical signing and hashing bytes for frames, commands and blocks (see itc/signing.hpp).
#include "itc/signing.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "itc/merkle.hpp"

namespace itc {
namespace {

constexpr std::string_view kFrameDomain = "itc-frame-v1";
constexpr std::string_view kFrameBatchDomain = "itc-frame-batch-v1";
constexpr std::string_view kCommandDomain = "itc-command-v1";
constexpr std::string_view kBlockDomain = "itc-block-v2";

// Appends the deterministic protobuf encoding of `msg` (map entries sorted) to `out`.
void append_deterministic(const google::protobuf::MessageLite& msg, std::string* out) {
  google::protobuf::io::StringOutputStream raw(out);
  google::protobuf::io::CodedOutputStream coded(&raw);
  coded.SetSerializationDeterministic(true);
  msg.SerializeToCodedStream(&coded);
  // `coded` trims the string to what was written when it goes out of scope.
}

std::string domain_and_bytes(std::string_view domain, const google::protobuf::MessageLite& msg) {
  std::string out;
  out.reserve(domain.size() + msg.ByteSizeLong());
  out.append(domain);
  append_deterministic(msg, &out);
  return out;
}

void put_be(std::uint64_t v, int width, std::string* out) {
  for (int i = width - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string short_hex(std::string_view raw) {
  std::string hex = crypto::to_hex(raw);
  return hex.size() > 16 ? hex.substr(0, 16) + "..." : hex;
}

}  // namespace

std::string deterministic_bytes(const google::protobuf::MessageLite& msg) {
  return domain_and_bytes("", msg);
}

// ---- Frames --------------------------------------------------------------------------

std::string frame_signing_bytes(const v1::RawFrame& frame) {
  v1::RawFrame unsigned_frame = frame;
  unsigned_frame.clear_signature();
  unsigned_frame.clear_batch();
  return domain_and_bytes(kFrameDomain, unsigned_frame);
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
  return crypto::sha256(domain_and_bytes("", frame));
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

Status FrameVerifier::verify(const v1::RawFrame& frame,
                             const crypto::Ed25519PublicKey& device_key) {
  if (!frame.has_batch() || !device_key.valid()) return verify_frame(frame, device_key);
  const std::string who = "frame from " + frame.device_id();
  ITC_RETURN_IF_ERROR(check_batch_path(frame, who));
  std::string id = device_key.raw() + frame.batch().root() + frame.signature();
  {
    std::lock_guard lock(mu_);
    if (verified_.count(id)) return Status::Ok();
  }
  if (!device_key.verify(frame_batch_signing_bytes(frame.batch().root()), frame.signature())) {
    return Status::PermissionDenied(who + ": batch signature does not verify against the key");
  }
  std::lock_guard lock(mu_);
  if (verified_.insert(id).second) {
    order_.push_back(std::move(id));
    if (order_.size() > capacity_) {
      verified_.erase(order_.front());
      order_.pop_front();
    }
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

// ---- Commands ------------------------------------------------------------------------

std::string command_signing_bytes(const v1::Command& cmd) {
  v1::Command unsigned_cmd = cmd;
  unsigned_cmd.clear_signature();
  return domain_and_bytes(kCommandDomain, unsigned_cmd);
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
    return Status::PermissionDenied(who + ": signed by key " + short_hex(cmd.owner_public_key()) +
                                    ", but the device's registered owner is " +
                                    short_hex(registered_owner_key));
  }
  if (!crypto::ed25519_verify(registered_owner_key, command_signing_bytes(cmd), cmd.signature())) {
    return Status::PermissionDenied(who + ": signature does not verify against the owner key");
  }
  return Status::Ok();
}

// ---- Blocks --------------------------------------------------------------------------

std::string reading_leaf_bytes(const v1::Reading& reading) { return domain_and_bytes("", reading); }

std::string readings_merkle_root(const v1::Block& block) {
  std::vector<std::string> leaf_hashes;
  leaf_hashes.reserve(block.readings_size());
  for (const auto& r : block.readings()) {
    leaf_hashes.push_back(merkle::leaf_hash(reading_leaf_bytes(r)));
  }
  return merkle::root_from_leaf_hashes(std::move(leaf_hashes));
}

std::string tx_leaf_bytes(const v1::Transaction& tx) { return domain_and_bytes("", tx); }

std::string transactions_root(const v1::Block& block) {
  std::vector<std::string> leaf_hashes;
  leaf_hashes.reserve(block.transactions_size());
  for (const auto& tx : block.transactions()) {
    leaf_hashes.push_back(merkle::leaf_hash(tx_leaf_bytes(tx)));
  }
  return merkle::root_from_leaf_hashes(std::move(leaf_hashes));
}

std::string block_hash(const v1::BlockHeader& h) {
  auto put_bytes = [](std::string_view bytes, std::string* out) {
    put_be(bytes.size(), 4, out);
    out->append(bytes);
  };
  std::string buf;
  buf.reserve(kBlockDomain.size() + 8 + 4 + 32 + 4 + 32 + 8 + 4 + 4 + h.producer().size() + 8 + 4 +
              32 + 4 + 4 + 32 + 4 + 32 * h.milestone_size());
  buf.append(kBlockDomain);
  put_be(h.height(), 8, &buf);
  put_bytes(h.prev_hash(), &buf);
  put_bytes(h.merkle_root(), &buf);
  put_be(static_cast<std::uint64_t>(h.timestamp_us()), 8, &buf);
  put_be(h.reading_count(), 4, &buf);
  put_bytes(h.producer(), &buf);
  put_be(h.view(), 8, &buf);
  put_bytes(h.tx_root(), &buf);
  put_be(h.tx_count(), 4, &buf);
  put_bytes(h.state_root(), &buf);
  put_be(static_cast<std::uint64_t>(h.milestone_size()), 4, &buf);
  for (const auto& tip : h.milestone()) put_bytes(tip, &buf);
  return crypto::sha256(buf);
}

Status verify_block(const v1::Block& block) {
  const auto& h = block.header();
  const std::string who = "block " + std::to_string(h.height());
  if (h.prev_hash().size() != crypto::kSha256Size) {
    return Status::Corruption(who + ": prev_hash is " + std::to_string(h.prev_hash().size()) +
                              " bytes, expected 32");
  }
  if (h.merkle_root().size() != crypto::kSha256Size) {
    return Status::Corruption(who + ": merkle_root is " + std::to_string(h.merkle_root().size()) +
                              " bytes, expected 32");
  }
  if (h.reading_count() != static_cast<std::uint32_t>(block.readings_size())) {
    return Status::Corruption(who + ": header says " + std::to_string(h.reading_count()) +
                              " readings, the block holds " +
                              std::to_string(block.readings_size()));
  }
  std::string root = readings_merkle_root(block);
  if (root != h.merkle_root()) {
    return Status::Corruption(who + ": merkle_root " + short_hex(h.merkle_root()) +
                              " does not match the readings (computed " + short_hex(root) + ")");
  }
  if (h.tx_count() != static_cast<std::uint32_t>(block.transactions_size())) {
    return Status::Corruption(who + ": header says " + std::to_string(h.tx_count()) +
                              " transactions, the block holds " +
                              std::to_string(block.transactions_size()));
  }
  std::string tx_root = transactions_root(block);
  if (tx_root != h.tx_root()) {
    return Status::Corruption(who + ": tx_root " + short_hex(h.tx_root()) +
                              " does not match the transactions (computed " + short_hex(tx_root) +
                              ")");
  }
  std::string hash = block_hash(h);
  if (hash != block.hash()) {
    return Status::Corruption(who + ": hash " + short_hex(block.hash()) +
                              " does not match its header (computed " + short_hex(hash) + ")");
  }
  return Status::Ok();
}

}  // namespace itc
