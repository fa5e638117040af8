// A block as a peer serves it in state transfer (or a store hands it back): the Block
// decoder, verify_block (hash, both Merkle roots, counts) and the quorum certificate
// check against the validator set (ValidatorSet::verify_qc).
// Input: a serialized v1::Block. Seeds are blocks committed by a 4-validator network of
// real Replicas (validator_network.hpp), with their certificates.
#include <cstddef>
#include <cstdint>

#include "itc/ledger/block_commitments.hpp"
#include "validator_network.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& network = itc::fuzz::ValidatorNetwork::get();
  itc::v1::Block block;
  if (!block.ParseFromArray(data, static_cast<int>(size))) return 0;
  (void)itc::verify_block(block);
  (void)itc::block_hash(block.header());
  if (block.has_qc()) (void)network.validators.verify_qc(block.header(), block.hash(), block.qc());
  return 0;
}
