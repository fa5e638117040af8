// A chain whose validator set changes twice, for light-client tests: LedgerState with the
// light genesis (4 validators, alice and bob funded) and epochs of 4 blocks; block 1
// rotates validator-3's key (epoch 1 from block 5), block 5 validator-0's (epoch 2 from
// block 9), block 9 pays bob 700. Each block is certified by its own epoch's keys.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "light_chain.hpp"

namespace itc::test {

inline constexpr std::uint64_t kEpochBlocks = 4;

using Keys = std::vector<std::pair<std::uint32_t, char>>;  // validator index, key tag

inline v1::QuorumCertificate qc_by(const v1::Block& block, const Keys& signers) {
  v1::QuorumCertificate qc;
  qc.set_height(block.header().height());
  qc.set_block_hash(block.hash());
  const std::string bytes =
      ledger::commit_signing_bytes(kChainId, 0, block.header().height(), block.hash());
  for (const auto& [index, tag] : signers) {
    v1::ValidatorSignature* sig = qc.add_signatures();
    sig->set_validator(index);
    sig->set_signature(key_from(tag).sign(bytes));
  }
  return qc;
}

inline google::protobuf::RepeatedPtrField<v1::Validator> with_key(
    google::protobuf::RepeatedPtrField<v1::Validator> set, int index, char tag) {
  set.Mutable(index)->set_public_key(key_from(tag).public_key());
  return set;
}

struct EpochChain {
  v1::Genesis genesis = [] {
    v1::Genesis g = light_genesis();
    g.set_epoch_blocks(kEpochBlocks);
    return g;
  }();
  ledger::LedgerState state{genesis};
  std::vector<v1::Block> blocks;       // blocks[h - 1] is block h
  std::vector<v1::StateDelta> deltas;  // what each block committed, for a store
  crypto::Ed25519PrivateKey alice = key_from('a');
  crypto::Ed25519PrivateKey bob = key_from('b');
  std::uint64_t alice_nonce = 0;
  google::protobuf::RepeatedPtrField<v1::Validator> set1 = with_key(genesis.validators(), 3, 'Z');
  google::protobuf::RepeatedPtrField<v1::Validator> set2 = with_key(set1, 0, 'Y');
  const Keys epoch0 = {{0, 'A'}, {1, 'B'}, {2, 'C'}};
  const Keys epoch1 = {{1, 'B'}, {2, 'C'}, {3, 'Z'}};  // validator-3 signs with its new key
  const Keys epoch2 = {{0, 'Y'}, {1, 'B'}, {3, 'Z'}};

  v1::Transaction reconfigure(std::uint64_t epoch,
                              const google::protobuf::RepeatedPtrField<v1::Validator>& set,
                              const Keys& approvers) {
    return signed_reconfigure(alice, ++alice_nonce, epoch, set, approvers);
  }
  void add(const std::vector<v1::Transaction>& txs, const Keys& signers) {
    const std::string prev = blocks.empty() ? std::string(32, '\0') : blocks.back().hash();
    CommittedBlock c = commit_certified_block(state, prev, txs);
    *c.block.mutable_qc() = qc_by(c.block, signers);  // certified by its own epoch's keys
    blocks.push_back(c.block);
    deltas.push_back(std::move(c.delta));
  }

  // Block 1 changes to set 1 (boundary 5), block 5 to set 2 (boundary 9), block 9 pays bob.
  EpochChain() {
    add({reconfigure(1, set1, epoch0)}, epoch0);
    for (int h = 2; h <= 4; ++h) add({}, epoch0);
    add({reconfigure(2, set2, epoch1)}, epoch1);
    for (int h = 6; h <= 8; ++h) add({}, epoch1);
    add({signed_transfer(alice, bob.public_key(), 700, ++alice_nonce)}, epoch2);
  }
  const v1::Block& block(std::uint64_t h) const { return blocks[h - 1]; }
  v1::ValidatorEpoch epoch_set(std::uint64_t epoch) const {
    v1::ValidatorEpoch e;
    e.set_epoch(epoch);
    *e.mutable_validators() = epoch == 1 ? set1 : set2;
    return e;
  }
  std::string update(std::uint64_t epoch) const {  // the update into `epoch`
    return light::prover::epoch_update(block(epoch * kEpochBlocks), epoch_set(epoch)).value();
  }
  light::State trusting() const {
    light::State s{};
    if (Status st = light::trust_genesis(genesis, &s); !st.ok()) qFatal("%s", st.message().c_str());
    return s;
  }
};

}  // namespace itc::test
