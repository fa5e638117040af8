#include "itc/ledger/block_commitments.hpp"

#include "common/block_header_bytes.hpp"
#include "common/ledger_encoding.hpp"
#include "itc/canonical_bytes.hpp"
#include "itc/merkle.hpp"

namespace itc {
namespace {

using ledger::internal::short_hex;

constexpr std::string_view kBlockDomain = "itc-block-v2";

}  // namespace

std::string reading_leaf_bytes(const v1::Reading& reading) { return deterministic_bytes(reading); }

std::string readings_merkle_root(const v1::Block& block) {
  std::vector<std::string> leaf_hashes;
  leaf_hashes.reserve(block.readings_size());
  for (const auto& r : block.readings()) {
    leaf_hashes.push_back(merkle::leaf_hash(reading_leaf_bytes(r)));
  }
  return merkle::root_from_leaf_hashes(std::move(leaf_hashes));
}

std::string tx_leaf_bytes(const v1::Transaction& tx) { return deterministic_bytes(tx); }

std::string transactions_root(const v1::Block& block) {
  std::vector<std::string> leaf_hashes;
  leaf_hashes.reserve(block.transactions_size());
  for (const auto& tx : block.transactions()) {
    leaf_hashes.push_back(merkle::leaf_hash(tx_leaf_bytes(tx)));
  }
  return merkle::root_from_leaf_hashes(std::move(leaf_hashes));
}

std::string block_hash(const v1::BlockHeader& h) {
  std::string buf(kBlockDomain);
  ledger::internal::put_block_header_fields(h, &buf);
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
