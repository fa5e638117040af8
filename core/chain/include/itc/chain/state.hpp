// The main chain's state machine: accounts (balances, nonces), device ownership, fees,
// ChainCode's reading commitments and analytics jobs with their escrow.
// Deterministic: every validator applying the same blocks gets the same state root.
//
// Keys: "a/" + 32-byte account key -> v1::Account bytes; "d/" + device_id ->
// v1::DeviceRecord bytes; "n/" + sender id -> v1::Account bytes holding only the nonce of
// an unsigned-anchor client (always there, even for a 32-byte id, so an unsigned anchor
// can never touch a funded account's nonce). Values are deterministic serializations; an account
// with zero balance and no nonce used has no bytes and so is not stored. State root: entries hashed
// into 4096 buckets by the first 12 bits of SHA-256(key); a bucket's hash is SHA-256 over its
// entries in key order (each as len‖key‖len‖value, lengths 4 bytes big endian); the root is the RFC
// 6962 root over the 4096 bucket hashes. A block only rehashes the buckets it touched.
//
// Validator sets (plugins/cyber/pbft/README.md, "Epochs"): "v/current" holds the set
// signing blocks now (a v1::ValidatorEpoch; absent until the first change, meaning the
// genesis set of epoch 0), "v/pending" a change accepted by a Reconfigure and waiting for
// its boundary (first_height). The block at that height moves it to "v/current" (and
// records it under epoch_validators_key) before its transactions, so its state root
// already shows the new set.
//
// Analytics (plugins/cognition/chaincode/README.md, "On the chain"): a CommitReadings
// transaction carries its sender's Pedersen commitments, one per owned device, metric and
// period of genesis.commitment_period_s (default 60 s); the state keeps each (device,
// metric)'s last period under committed_period_key so none is committed twice. An
// AnalyticsJob moves its escrow from the buyer into "j/" + its id (an AnalyticsJobRecord)
// and is refused when its selection matches fewer than k registered devices.
//
// Blocks are applied tentatively (PBFT prepares block h+1 before h commits): each
// pending block is an overlay on the one below; commit_oldest() folds the oldest into
// the committed base, discard_pending() drops them all (view change).
// Thread safety: none; the ordering plugin uses it from its protocol thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::ledger {

std::string account_key(std::string_view account);
std::string device_key(std::string_view device_id);
std::string anchor_nonce_key(std::string_view sender);
// "j/" + job id (the AnalyticsJob transaction's id) -> v1::AnalyticsJobRecord.
std::string job_key(std::string_view job_id);
// "cp/" + device_id + "\0" + metric -> v1::CommittedPeriod: the last period committed.
std::string committed_period_key(std::string_view device_id, std::string_view metric);
std::string current_validators_key();  // "v/current"
std::string pending_validators_key();  // "v/pending"
// "v/epoch/" + the epoch in 20 decimal digits: each epoch's set from its first block on,
// kept for good (what GET /v1/light/updates serves an epoch update from).
std::string epoch_validators_key(std::uint64_t epoch);

class LedgerState {
 public:
  // The state at height 0: genesis allocations and devices.
  explicit LedgerState(const v1::Genesis& genesis);
  ~LedgerState();

  // Replaces the committed base with stored entries at `height` (a restart). Corruption if
  // the resulting root is not `expected_root`.
  Status restore(const std::vector<v1::StateEntry>& entries, std::uint64_t height,
                 std::string_view expected_root);

  std::uint64_t committed_height() const;
  std::string committed_root() const;
  std::size_t pending_blocks() const;

  // A block being built or checked on top of the newest pending block.
  class BlockDraft {
   public:
    // Applies a transaction whose signature was already checked. On failure nothing
    // changes and the status names the reason: "overdraft: balance B, needs N", "nonce N
    // already used (last used M)", "fee F below minimum M", "unknown account", "unknown
    // device", "not the owner", "device ... already registered", "self transfer", ...
    // Fees go to `fee_recipient` (burnt if it is empty). An anchor without signature
    // (allowed by genesis) needs no account and pays no fee (its fee must be 0); only its
    // sender's nonce advances.
    Status apply(const v1::Transaction& tx);
    // A DAG micro-transfer made final by this block's milestone: moves `amount` between
    // two device accounts (32-byte keys; no nonce, no fee). On a conflict nothing changes
    // and the reason is returned: "insufficient balance: H held, A sent", "balance
    // overflow".
    std::optional<std::string> move_balance(const std::string& from, const std::string& to,
                                            std::uint64_t amount);
    // The set that signs this block (its epoch's) and the one that signs the next block
    // (the pending set in an epoch's last block, else the same).
    v1::ValidatorEpoch signers() const;
    v1::ValidatorEpoch next_signers() const;
    // Sets header->epoch, validators_hash and next_validators_hash from the two above.
    void commit_to_validators(v1::BlockHeader* header) const;
    // Root of the state as it would be with this draft applied.
    std::string state_root() const;
    std::uint64_t height() const { return height_; }

   private:
    friend class LedgerState;
    BlockDraft(const LedgerState& state, std::uint64_t height, std::string fee_recipient);
    std::optional<std::string> get(const std::string& key) const;
    // Registered devices (as this draft sees them) that `selection` matches.
    std::uint32_t count_devices(const v1::DeviceSelection& selection) const;
    const LedgerState* state_;
    std::uint64_t height_;
    std::string fee_recipient_;
    std::map<std::string, std::string> writes_;  // key -> value ("" = deleted)
  };

  // `fee_recipient`: the account credited with the block's fees (the proposing validator).
  BlockDraft begin_block(std::string fee_recipient) const;
  // Pushes the draft as the newest pending block. The draft must have been begun on this
  // state since the last push_pending() or discard_pending().
  void push_pending(BlockDraft draft);
  // Folds the oldest pending block into the base; returns its writes for the store, in
  // key order (empty if nothing is pending).
  v1::StateDelta commit_oldest();
  void discard_pending();

  // What a light client needs to check `key` against committed_root(): the key's bucket
  // (bucket_of: first 12 bits of SHA-256(key)), all of that bucket's entries in key order
  // (the key's value among them, or its absence) and the bucket's audit path, bottom up.
  struct StateProof {
    std::size_t bucket = 0;
    std::vector<std::pair<std::string, std::string>> entries;
    std::vector<std::string> path;
  };
  StateProof prove(std::string_view key) const;

  // Committed values only (what clients may rely on).
  std::optional<v1::Account> account(std::string_view account) const;
  v1::ValidatorEpoch validators() const;  // the genesis set (epoch 0) until a change
  std::optional<v1::ValidatorEpoch> pending_validators() const;
  std::uint64_t epoch_blocks() const;
  std::optional<v1::DeviceRecord> device(std::string_view device_id) const;
  std::optional<v1::AnalyticsJobRecord> job(std::string_view job_id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace itc::ledger
