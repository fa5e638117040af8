#include "ledger_store_rules.hpp"

#include <algorithm>
#include <limits>

#include "itc/crypto.hpp"
#include "itc/ledger/block_commitments.hpp"

namespace itc::store_common {
namespace {

// PostgreSQL's B-tree refuses index entries above ~2.7 kB; one limit for every backend
// keeps a delta that one store accepts from being refused by the other.
constexpr std::size_t kMaxStateKeyBytes = 1024;

}  // namespace

const std::string& zero_hash() {
  static const std::string kZero(crypto::kSha256Size, '\0');
  return kZero;
}

std::string short_hex(std::string_view bytes) {
  if (bytes.empty()) return "(empty)";
  std::string hex = crypto::to_hex(bytes.substr(0, 4));
  if (bytes.size() > 4) hex += "…";
  return hex;
}

std::string block_label(std::uint64_t height) { return "block " + std::to_string(height); }

std::int64_t oldest_sample_us(const v1::Block& block) {
  if (block.readings_size() == 0) return 0;
  std::int64_t oldest = std::numeric_limits<std::int64_t>::max();
  for (const auto& r : block.readings()) oldest = std::min(oldest, r.sampled_at_us());
  return oldest;
}

Status check_block_and_delta(const v1::Block& block, const v1::StateDelta& delta) {
  // verify_block's message names the block and what is wrong with it.
  if (Status s = verify_block(block); !s.ok()) return Status::Corruption(s.message());
  const std::uint64_t height = block.header().height();
  if (height > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return Status::InvalidArgument(block_label(height) + ": height beyond what a store can hold");
  }
  for (int i = 0; i < delta.entries_size(); ++i) {
    const std::string& key = delta.entries(i).key();
    if (key.empty()) {
      return Status::InvalidArgument(block_label(height) + ": state delta entry " +
                                     std::to_string(i) + " has an empty key");
    }
    if (key.size() > kMaxStateKeyBytes) {
      return Status::InvalidArgument(block_label(height) + ": state delta entry " +
                                     std::to_string(i) + " has a key of " +
                                     std::to_string(key.size()) + " bytes (at most " +
                                     std::to_string(kMaxStateKeyBytes) + ")");
    }
  }
  return Status::Ok();
}

Status check_link(const v1::Block& block, std::uint64_t head_height, std::string_view head_hash) {
  const std::uint64_t height = block.header().height();
  if (height != head_height + 1) {
    return Status::FailedPrecondition(block_label(height) + ": height must be " +
                                      std::to_string(head_height + 1) + " (head is " +
                                      std::to_string(head_height) + ")");
  }
  const std::string_view expected_prev = head_height > 0 ? head_hash : zero_hash();
  if (block.header().prev_hash() != expected_prev) {
    return Status::FailedPrecondition(
        block_label(height) + ": prev_hash " + short_hex(block.header().prev_hash()) +
        (head_height > 0 ? " is not the hash of head block " + std::to_string(head_height) + " (" +
                               short_hex(expected_prev) + ")"
                         : " must be 32 zero bytes for the genesis block"));
  }
  return Status::Ok();
}

Status check_stored_head(const v1::Block& head, std::uint64_t height, std::string_view hash_column,
                         std::string_view prev_hash_column, std::string_view below_hash) {
  const std::string label = "head " + block_label(height);
  if (head.header().height() != height) {
    return Status::Corruption(label + ": body says height " +
                              std::to_string(head.header().height()));
  }
  if (Status s = verify_block(head); !s.ok()) {
    return Status::Corruption("head does not verify: " + s.message());
  }
  if (hash_column != head.hash() || prev_hash_column != head.header().prev_hash()) {
    return Status::Corruption(label + ": hash columns disagree with the stored block");
  }
  if (height == 1) {
    if (head.header().prev_hash() != zero_hash()) {
      return Status::Corruption(label + ": prev_hash of the genesis block is not 32 zero bytes");
    }
  } else if (below_hash != head.header().prev_hash()) {
    return Status::Corruption(label + ": prev_hash " + short_hex(head.header().prev_hash()) +
                              " is not the hash of block " + std::to_string(height - 1) + " (" +
                              short_hex(below_hash) + ")");
  }
  return Status::Ok();
}

Status check_read_block(const v1::Block& block, std::uint64_t height) {
  if (block.header().height() != height) {
    return Status::Corruption(block_label(height) + ": body says height " +
                              std::to_string(block.header().height()));
  }
  if (Status s = verify_block(block); !s.ok()) return Status::Corruption(s.message());
  return Status::Ok();
}

v1::BlockCommitted committed_summary(const v1::Block& block, std::int64_t committed_at_us,
                                     std::int64_t oldest_sample_us) {
  v1::BlockCommitted committed;
  *committed.mutable_header() = block.header();
  committed.set_hash(block.hash());
  committed.set_committed_at_us(committed_at_us);
  committed.set_oldest_sample_us(oldest_sample_us);
  if (block.has_qc()) *committed.mutable_qc() = block.qc();
  return committed;
}

}  // namespace itc::store_common
