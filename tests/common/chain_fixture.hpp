// Keys, a genesis and signed transactions for main-chain tests, made with the SDK's own
// signing so a transaction here is exactly what the CLI or a wallet would send.
#pragma once

#include <QtGlobal>
#include <cstdint>
#include <string>
#include <vector>

#include "itc/chain/state.hpp"
#include "itc/crypto.hpp"
#include "itc/ledger/block_commitments.hpp"
#include "itc/ledger/transactions.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::test {

inline constexpr std::string_view kChainId = "itc-test";

// A key that is the same in every run: from a seed of 32 copies of `tag`.
inline crypto::Ed25519PrivateKey key_from(char tag) {
  return *crypto::Ed25519PrivateKey::from_seed(std::string(32, tag));
}

// `validators` validators with keys from 'A', 'B', ...; allocations as given.
inline v1::Genesis make_genesis(int validators,
                                const std::vector<std::pair<std::string, std::uint64_t>>& funds,
                                std::uint64_t min_fee = 1, bool unsigned_anchors = false) {
  v1::Genesis g;
  g.set_chain_id(std::string(kChainId));
  g.set_timestamp_us(1'704'067'200'000'000);
  g.set_min_fee(min_fee);
  g.set_allow_unsigned_anchors(unsigned_anchors);
  for (int i = 0; i < validators; ++i) {
    v1::Validator* v = g.add_validators();
    v->set_name("validator-" + std::to_string(i));
    v->set_public_key(key_from(static_cast<char>('A' + i)).public_key());
    v->set_address("127.0.0.1:" + std::to_string(7100 + i));
  }
  for (const auto& [account, balance] : funds) {
    v1::Allocation* a = g.add_allocations();
    a->set_account(account);
    a->set_balance(balance);
  }
  return g;
}

inline v1::Transaction signed_transfer(const crypto::Ed25519PrivateKey& from, const std::string& to,
                                       std::uint64_t amount, std::uint64_t nonce,
                                       std::uint64_t fee = 1, std::string_view chain = kChainId) {
  v1::Transaction tx;
  tx.set_nonce(nonce);
  tx.set_fee(fee);
  tx.mutable_transfer()->set_to(to);
  tx.mutable_transfer()->set_amount(amount);
  ledger::sign_tx(chain, &tx, from);
  return tx;
}

inline v1::Transaction signed_register(const crypto::Ed25519PrivateKey& owner,
                                       const std::string& device_id, std::uint64_t nonce,
                                       std::uint64_t fee = 1) {
  v1::Transaction tx;
  tx.set_nonce(nonce);
  tx.set_fee(fee);
  tx.mutable_register_device()->set_device_id(device_id);
  tx.mutable_register_device()->set_profile("acme-lamp-v2");
  tx.mutable_register_device()->set_device_public_key(key_from('d').public_key());
  ledger::sign_tx(kChainId, &tx, owner);
  return tx;
}

inline v1::Transaction signed_device_transfer(const crypto::Ed25519PrivateKey& owner,
                                              const std::string& device_id,
                                              const std::string& new_owner, std::uint64_t nonce,
                                              std::uint64_t fee = 1) {
  v1::Transaction tx;
  tx.set_nonce(nonce);
  tx.set_fee(fee);
  tx.mutable_transfer_device()->set_device_id(device_id);
  tx.mutable_transfer_device()->set_new_owner(new_owner);
  ledger::sign_tx(kChainId, &tx, owner);
  return tx;
}

// A validator-set change to `epoch` paid by `payer`, approved by the validators
// `approvers` (index in the current set, tag of the key it signs with: key_from(tag)).
inline v1::Transaction signed_reconfigure(
    const crypto::Ed25519PrivateKey& payer, std::uint64_t nonce, std::uint64_t epoch,
    const google::protobuf::RepeatedPtrField<v1::Validator>& set,
    const std::vector<std::pair<std::uint32_t, char>>& approvers) {
  v1::Transaction tx;
  tx.set_nonce(nonce);
  tx.set_fee(1);
  v1::Reconfigure* r = tx.mutable_reconfigure();
  r->set_epoch(epoch);
  *r->mutable_validators() = set;
  const std::string bytes = ledger::reconfigure_signing_bytes(kChainId, epoch, set);
  for (const auto& [index, tag] : approvers) {
    v1::ValidatorSignature* a = r->add_approvals();
    a->set_validator(index);
    a->set_signature(key_from(tag).sign(bytes));
  }
  ledger::sign_tx(kChainId, &tx, payer);
  return tx;
}

// A block as the PBFT validators would commit it: `txs` applied on `state` (each must
// pass), proposed by validator-0, with a quorum certificate signed by the validators
// `signers` (keys from 'A' + index), carrying `readings`. Returns the block and the state
// delta it committed.
struct CommittedBlock {
  v1::Block block;
  v1::StateDelta delta;
};

inline v1::QuorumCertificate sign_qc(const v1::Block& block, const std::vector<int>& signers,
                                     std::uint64_t view = 0, std::string_view chain = kChainId) {
  v1::QuorumCertificate qc;
  qc.set_height(block.header().height());
  qc.set_view(view);
  qc.set_block_hash(block.hash());
  const std::string bytes =
      ledger::commit_signing_bytes(chain, view, block.header().height(), block.hash());
  for (int i : signers) {
    v1::ValidatorSignature* sig = qc.add_signatures();
    sig->set_validator(static_cast<std::uint32_t>(i));
    sig->set_signature(key_from(static_cast<char>('A' + i)).sign(bytes));
  }
  return qc;
}

inline CommittedBlock commit_certified_block(ledger::LedgerState& state,
                                             const std::string& prev_hash,
                                             const std::vector<v1::Transaction>& txs,
                                             const std::vector<int>& signers = {0, 1, 2},
                                             const std::vector<v1::Reading>& readings = {}) {
  CommittedBlock out;
  for (const v1::Reading& r : readings) *out.block.add_readings() = r;
  ledger::LedgerState::BlockDraft draft = state.begin_block(key_from('A').public_key());
  for (const v1::Transaction& tx : txs) {
    if (Status s = draft.apply(tx); !s.ok()) qFatal("fixture tx refused: %s", s.message().c_str());
    *out.block.add_transactions() = tx;
  }
  v1::BlockHeader* h = out.block.mutable_header();
  h->set_height(draft.height());
  h->set_prev_hash(prev_hash);
  h->set_timestamp_us(1'704'067'200'000'000 + static_cast<std::int64_t>(draft.height()));
  h->set_producer("validator-0");
  h->set_merkle_root(readings_merkle_root(out.block));
  h->set_reading_count(static_cast<std::uint32_t>(out.block.readings_size()));
  h->set_tx_count(static_cast<std::uint32_t>(out.block.transactions_size()));
  h->set_tx_root(transactions_root(out.block));
  h->set_state_root(draft.state_root());
  draft.commit_to_validators(h);
  out.block.set_hash(block_hash(*h));
  *out.block.mutable_qc() = sign_qc(out.block, signers);
  state.push_pending(std::move(draft));
  out.delta = state.commit_oldest();
  return out;
}

}  // namespace itc::test
