// Seeds of light_proof: what a node serves a light client about blocks a network of real
// Replicas committed (validator_network.hpp): header updates, transaction and reading
// inclusion, state proofs of account-0 and of an absent device, encoded by
// itc_light_prover, and a client's state file. Byte 0 picks the check (see light_proof.cpp).
#include <cstdio>

#include "itc/ledger/block_commitments.hpp"
#include "itc/ledger/transactions.hpp"
#include "itc/light/genesis_trust.hpp"
#include "itc/light/prover.hpp"
#include "itc/light/state_file.hpp"
#include "seeds/corpus.hpp"
#include "validator_network.hpp"

namespace itc::fuzz {
namespace {

// A real epoch update: validator-3's key rotated by a Reconfigure in block 1 (approved by
// validators 0-2), empty blocks up to 100, the old epoch's last, certified by 0-2.
std::string rotation_update() {
  const auto& net = ValidatorNetwork::get();
  ledger::LedgerState state(net.genesis);
  v1::ValidatorEpoch next;
  next.set_epoch(1);
  *next.mutable_validators() = net.genesis.validators();
  for (int i = 0; i < next.validators_size(); ++i) {
    next.mutable_validators(i)->set_address("127.0.0.1:" + std::to_string(7000 + i));
  }
  next.mutable_validators(3)->set_public_key(key_from_name("validator-3-rotated").public_key());
  v1::Transaction tx;
  tx.set_nonce(1);
  tx.set_fee(net.genesis.min_fee());
  *tx.mutable_reconfigure()->mutable_validators() = next.validators();
  tx.mutable_reconfigure()->set_epoch(1);
  const std::string approved =
      ledger::reconfigure_signing_bytes(net.genesis.chain_id(), 1, next.validators());
  for (std::uint32_t i = 0; i < 3; ++i) {
    v1::ValidatorSignature* a = tx.mutable_reconfigure()->add_approvals();
    a->set_validator(i);
    a->set_signature(net.keys[i].sign(approved));
  }
  ledger::sign_tx(net.genesis.chain_id(), &tx, net.account);
  v1::Block block;
  std::string prev(32, '\0');
  for (std::uint64_t h = 1; h <= 100; ++h) {
    block = v1::Block();
    auto draft = state.begin_block("");
    if (h == 1 && (!draft.apply(tx).ok())) return {};
    if (h == 1) *block.add_transactions() = tx;
    v1::BlockHeader* header = block.mutable_header();
    header->set_height(h);
    header->set_prev_hash(prev);
    header->set_timestamp_us(net.genesis.timestamp_us() + static_cast<std::int64_t>(h));
    header->set_producer("validator-0");
    header->set_merkle_root(readings_merkle_root(block));
    header->set_tx_count(static_cast<std::uint32_t>(block.transactions_size()));
    header->set_tx_root(transactions_root(block));
    header->set_state_root(draft.state_root());
    draft.commit_to_validators(header);
    block.set_hash(block_hash(*header));
    prev = block.hash();
    state.push_pending(std::move(draft));
    (void)state.commit_oldest();
  }
  v1::QuorumCertificate* qc = block.mutable_qc();
  qc->set_height(100);
  qc->set_block_hash(block.hash());
  const std::string commit =
      ledger::commit_signing_bytes(net.genesis.chain_id(), 0, 100, block.hash());
  for (std::uint32_t i = 0; i < 3; ++i) {
    v1::ValidatorSignature* s = qc->add_signatures();
    s->set_validator(i);
    s->set_signature(net.keys[i].sign(commit));
  }
  auto update = light::prover::epoch_update(block, next);
  return update.ok() ? *update : std::string();
}

}  // namespace

void write_light_seeds(Corpus& corpus, const std::vector<v1::Block>& blocks) {
  const auto& net = ValidatorNetwork::get();
  ledger::LedgerState state(net.genesis);
  const std::string account_key = ledger::account_key(net.account.public_key());
  // A client's state file after it trusted the first block.
  light::State client{};
  if (!blocks.empty() && light::trust_genesis(net.genesis, &client).ok()) {
    const std::string update =
        light::prover::header_update(blocks[0].header(), blocks[0].qc()).value();
    (void)light::apply_header(&client, reinterpret_cast<const std::uint8_t*>(update.data()),
                              update.size());
    std::uint8_t file[light::kMaxStateBytes];
    const std::size_t n = light::encode_state(client, file, sizeof file);
    corpus.add("light_proof", "state-file",
               '\5' + std::string(reinterpret_cast<const char*>(file), n));
  }
  // An epoch update's layout around a real certified header (that does not end its epoch,
  // since these replicas do not change sets): kind 6, the next epoch, the genesis set.
  if (!blocks.empty()) {
    std::string update = light::prover::header_update(blocks[0].header(), blocks[0].qc()).value();
    update[5] = 6;
    update += std::string(7, '\0') + '\1';
    update += static_cast<char>(net.genesis.validators_size());
    for (const v1::Validator& v : net.genesis.validators()) {
      update += v.public_key() + std::string(7, '\0') + '\1';
    }
    corpus.add("light_proof", "epoch-update-mid-epoch", '\7' + update);
  }
  // Only an update the client accepts is a seed that reaches past every check.
  light::State fresh{};
  const std::string rotation = rotation_update();
  if (!rotation.empty() && light::trust_genesis(net.genesis, &fresh).ok() &&
      light::apply_epoch_update(&fresh, reinterpret_cast<const std::uint8_t*>(rotation.data()),
                                rotation.size(), net.genesis.timestamp_us())
          .ok()) {
    corpus.add("light_proof", "epoch-update-rotation", '\7' + rotation);
  } else {
    std::fprintf(stderr, "light_proof: the rotation update does not verify; no seed for it\n");
  }
  for (const v1::Block& block : blocks) {
    const std::string h = std::to_string(block.header().height());
    if (block.header().height() > 3) break;
    corpus.add("light_proof", "header-" + h,
               '\0' + light::prover::header_update(block.header(), block.qc()).value());
    if (block.transactions_size() > 0) {
      corpus.add("light_proof", "tx-" + h, '\1' + light::prover::tx_proof(block, 0).value());
    }
    if (block.readings_size() > 0) {
      const int last = block.readings_size() - 1;
      corpus.add("light_proof", "reading-" + h,
                 '\2' + light::prover::reading_proof(block, last).value());
    }
    // The state after this block, replayed as the replicas executed it.
    auto draft = state.begin_block(
        net.validators.validator(net.validators.primary_of(block.header().view())).public_key());
    for (const v1::Transaction& tx : block.transactions()) (void)draft.apply(tx);
    state.push_pending(std::move(draft));
    (void)state.commit_oldest();
    auto proof = light::prover::state_proof(state, block, account_key);
    if (!proof.ok()) continue;  // the replay differs: no state seed for this height
    corpus.add("light_proof", "account-" + h, '\3' + *proof);
    corpus.add(
        "light_proof", "absent-" + h,
        '\4' + light::prover::state_proof(state, block, ledger::device_key("lamp-9")).value());
  }
}

}  // namespace itc::fuzz
