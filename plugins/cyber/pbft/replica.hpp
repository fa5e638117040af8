// Replica: one validator's side of Castro & Liskov's PBFT, as a single-threaded state
// machine. Inputs are opened (signature-checked) consensus messages, local requests and
// clock ticks; outputs go through ReplicaIo: messages to peers, vote records for the
// journal (the plugin makes them durable before any message of the same turn leaves),
// and committed blocks for the store.
//
// Sequence number = block height. The primary of view v (validator v mod n) batches
// requests into a block on top of the newest accepted one, executes it tentatively,
// puts the resulting state root in the header and sends PrePrepare(v, n, hash, block).
// A backup accepts pre-prepares in sequence order only (it re-executes each on its
// tentative state and checks the root), prepares, and commits n only once n-1 is
// prepared in the same view (see view_change.hpp for why). A block with 2f+1 commits
// executes in order, its commits become its QuorumCertificate, and it goes to the store.
// Checkpoints every K blocks, 2f+1 of them make it stable and the log below is dropped.
// Timeouts that back off start view changes; state transfer fetches committed blocks
// (checked against their QCs and re-executed) when a replica finds itself behind. A
// peer's claimed height counts only as far as the QC in its Status proves it.
// The Replica holds the state machine; the parts it drives carry their own arguments:
// slot.hpp (a slot's phases), vote_set.hpp (quorums, never voting twice),
// view_change.hpp, request_pool.hpp, local_requests.hpp, progress_timer.hpp,
// peer_status.hpp (proven heights), block_fetch.hpp and vote_journal.hpp.
// Epochs (README, "Epochs"): the set that signs is the chain's, never local config. The
// replica works in one epoch at a time: the set signing block executed + 1 (quorums,
// primary rotation, QC checks of transferred blocks, view changes, checkpoints). No block
// of the next epoch is proposed or accepted before the current epoch's last block is
// executed; messages about the next epoch that arrive earlier wait and are opened again
// with the next set once this replica enters it. The last block of an epoch, certified by
// its set, is the new epoch's start: it stands for a stable checkpoint. A replica whose
// key is not in the new set stops proposing and voting, and says so.
// Thread safety: none. The plugin calls it from its protocol thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "block_fetch.hpp"
#include "itc/chain/state.hpp"
#include "itc/crypto.hpp"
#include "itc/host_env.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/v1/consensus.pb.h"
#include "local_requests.hpp"
#include "peer_status.hpp"
#include "progress_timer.hpp"
#include "request_pool.hpp"
#include "side_chain.hpp"
#include "slot.hpp"
#include "view_change.hpp"
#include "vote_set.hpp"

namespace itc::pbft {

struct ReplicaOptions {
  std::uint32_t self = 0;
  std::string node_name;
  std::uint32_t batch_max_requests = 512;
  std::chrono::microseconds batch_delay{2000};
  std::uint32_t pipeline_window = 8;
  std::uint32_t checkpoint_interval = 64;
  std::chrono::milliseconds view_change_timeout{2000};
  std::uint32_t max_block_readings = 20000;
  std::chrono::milliseconds request_timeout{30000};
  // With a side chain: how often the primary names a milestone (when the DAG has new tips).
  std::chrono::milliseconds milestone_interval{100};
  // A full node that is not a validator (pbft `role: follower`): never a member of any
  // set; it fetches every block its peers prove (by their statuses' QCs) as soon as it is
  // behind, and signs its fetches as sender `kFollowerSender`.
  bool follower = false;
};

class ReplicaIo {
 public:
  virtual ~ReplicaIo() = default;
  virtual void send(std::uint32_t peer, const v1::Envelope& envelope) = 0;
  virtual void broadcast(const v1::Envelope& envelope) = 0;
  virtual void record(const v1::VoteRecord& record) = 0;
  // Hands an executed block to the store; the plugin calls Replica::on_durable(block)
  // once it is appended (in height order).
  virtual void commit_block(v1::Block block, v1::StateDelta delta) = 0;
  // The outcome of a transaction submitted on this node.
  virtual void tx_done(const std::string& tx_id, const v1::TxResult& result) = 0;
  // Replaces the journal with these records (after a stable checkpoint).
  virtual void compact_journal(const std::vector<v1::VoteRecord>& keep) = 0;
  // How many more executed blocks the store takes now. At 0 (it refuses blocks, e.g. a
  // full disk) the replica executes nothing more and fetches no blocks; it keeps voting
  // within its watermarks and resumes in on_durable().
  virtual std::size_t store_room() const { return SIZE_MAX; }
  // The chain entered epoch `epoch` (its first block is the one after the executed head):
  // `validators` sign from now on; `self` is this validator's index in that set (nullopt:
  // it is not a member any more). Links to peers follow the set.
  virtual void epoch_changed(const ledger::ValidatorSet& validators, std::uint64_t epoch,
                             std::optional<std::uint32_t> self) {}
  // The hash of the stored block at `height` (the start of the epoch after a restart).
  virtual std::optional<std::string> stored_hash(std::uint64_t height) const {
    return std::nullopt;
  }
};

struct ReplicaStats {
  std::uint64_t epoch = 0;
  bool member = true;  // this validator is in the current epoch's set
  std::uint64_t view = 0;
  bool in_view_change = false;
  std::uint64_t committed_height = 0;
  std::uint64_t stable_seq = 0;
  std::uint64_t view_changes = 0;
  std::uint64_t committed_txs = 0;
  std::uint64_t committed_readings = 0;
  std::uint64_t rejected_messages = 0;
  std::uint64_t transferred_blocks = 0;
  std::uint64_t ordered_blocks = 0;  // committed through this replica's own votes
  std::uint64_t divergences = 0;
  std::size_t pending_requests = 0;
  std::uint64_t proven_peer_height = 0;  // the highest height a peer's QC proves
};

class Replica {
 public:
  // `state` holds the committed state at `committed` (the store's head; nullopt = empty).
  // `validators` is the genesis set; the set of later epochs comes from `state`. This
  // replica's index in a set is found by `identity`'s key (options.self is not used).
  Replica(ReplicaOptions options, ledger::ValidatorSet validators, v1::Genesis genesis,
          crypto::Ed25519PrivateKey identity, std::unique_ptr<ledger::LedgerState> state,
          std::optional<v1::BlockCommitted> committed, ReplicaIo& io, Logger& log,
          const Clock& clock);

  // Blocks carry DAG milestones, worked out by `chain` (which must outlive the replica).
  // Without one, a block naming a milestone is refused.
  void attach_side_chain(SideChain* chain) { side_chain_ = chain; }
  // The side chain holds more transactions: a pre-prepare waiting for some is tried again.
  void side_chain_grew();

  // Adopts what the journal says this replica sent before a restart.
  void restore_votes(const std::vector<v1::VoteRecord>& records);

  // A transaction submitted on this node (signature already checked).
  void submit(v1::Transaction tx, std::string tx_id);
  // Readings produced on this node.
  void submit_readings(std::vector<v1::Reading> readings);
  // An opened message from a peer (signatures of the envelope, and of the transactions
  // of a pre-prepare or forward, already checked).
  void on_message(const v1::Envelope& envelope, const v1::ConsensusMessage& msg);
  // Called every few milliseconds: batching deadlines, timeouts, status.
  void on_tick();
  // `block` (handed to ReplicaIo::commit_block) is durable in the store.
  void on_durable(const v1::Block& block);

  // A set a peer ahead of this replica may already be in (the proposal that added this
  // validator, while it catches up from an older epoch): its QCs prove peers' heights.
  void expect_set(ledger::ValidatorSet set);

  ReplicaStats stats() const;
  std::uint32_t primary() const { return validators_.primary_of(view_); }
  bool is_primary() const { return self_ && primary() == *self_; }
  std::uint64_t epoch() const { return epoch_; }
  const ledger::ValidatorSet& validators() const { return validators_; }

 private:
  struct Head {  // the newest block of a chain (executed, or tentative)
    std::uint64_t height = 0;
    std::string hash;
    std::int64_t timestamp_us = 0;
  };

  // Normal case.
  void try_propose();
  std::optional<v1::Block> build_block();
  bool milestone_due() const;
  // The milestones of the blocks accepted above the executed one, oldest first.
  MilestoneList ordered_milestones() const;
  void add_milestone(v1::BlockHeader& h, ledger::LedgerState::BlockDraft& draft);
  Status check_milestone(const v1::BlockHeader& h, ledger::LedgerState::BlockDraft& draft,
                         const MilestoneList& earlier);
  void on_pre_prepare(const v1::Envelope& env, const v1::PrePrepare& pp, bool from_new_view);
  void accept_buffered();
  Status check_and_execute_tentatively(const v1::Block& block, std::uint64_t view,
                                       bool from_new_view);
  void on_prepare(std::uint32_t sender, const v1::Envelope& env, const v1::Prepare& p);
  void on_commit(std::uint32_t sender, const v1::Envelope& env, const v1::Commit& c);
  void update_slot(std::uint64_t seq);
  void execute_ready();
  void route_local(const v1::Request& request);  // to the queue (primary) or the primary
  void on_forward(std::uint32_t sender, const v1::ForwardRequests& fwd);
  void enqueue(const v1::Request& request, std::uint32_t origin) {
    pool_.add(request, origin, now());
  }
  void forward_to_primary(const std::vector<v1::Request>& requests);
  void note_block_contents(const v1::Block& block, bool committed);
  void resolve_local(const v1::Block& block);

  // Checkpoints and garbage collection.
  void send_checkpoint(std::uint64_t seq, const std::string& digest);
  void on_checkpoint(std::uint32_t sender, const v1::Envelope& env, const v1::Checkpoint& c);
  void make_stable(std::uint64_t seq, const std::string& digest);

  // View change.
  void start_view_change(std::uint64_t new_view);
  void on_view_change(const v1::Envelope& env, const v1::ConsensusMessage& msg);
  void try_new_view();
  void on_new_view(const v1::Envelope& env, const v1::NewView& nv);
  void enter_view(std::uint64_t view, const NewViewPlan& plan,
                  const std::vector<v1::Envelope>& pre_prepares);
  void reset_tentative();
  void drop_tentative_chain();
  void hold_tentative();
  // f+1 peers settled in a view this replica is behind (peer_status.hpp).
  std::optional<std::uint64_t> settled_view_ahead() const {
    return peers_.settled_view_ahead(view_, in_view_change_);
  }

  // State transfer and status.
  void send_status();
  void on_status(std::uint32_t sender, const v1::Status& s);
  std::pair<std::uint32_t, std::uint64_t> best_proven_peer() const {
    return peers_.best_proven(opt_.self, executed_.height);
  }
  bool missing_below_buffered() const;
  void catch_up();
  void on_blocks(std::uint32_t sender, const v1::BlockBatch& batch);
  Status check_transferred(const v1::Block& block) const;
  Status apply_transferred(const v1::Block& block);
  void request_transfer(std::uint32_t from_peer, std::uint64_t up_to);

  // Epochs.
  void note_epoch_end(const v1::BlockHeader& header);
  void maybe_enter_epoch();
  void enter_epoch_if_due();
  void dispatch(const v1::Envelope& envelope, const v1::ConsensusMessage& msg);
  void tick();
  // `msg` can only be about the next epoch (its set is not this replica's yet).
  bool for_next_epoch(const v1::ConsensusMessage& msg) const;
  void send_view_change();
  EpochStart epoch_start() const { return {epoch_base_, epoch_base_digest_}; }
  std::string name_of(std::uint32_t index) const;

  // Helpers.
  v1::Envelope sign_and_record(v1::ConsensusMessage msg, bool journal);
  bool would_equivocate(VoteKind kind, std::uint64_t view, std::uint64_t seq,
                        const std::string& digest);
  void reject(const std::string& what);
  std::chrono::nanoseconds now() const { return clock_.steady_now(); }
  std::string fee_recipient(const v1::BlockHeader& header) const;

  const ReplicaOptions opt_;
  const ledger::ValidatorSet genesis_set_;
  ledger::ValidatorSet validators_;  // the current epoch's set
  std::uint64_t epoch_ = 0;
  std::optional<std::uint32_t> self_;              // index in validators_ (nullopt: not a member)
  std::uint64_t epoch_base_ = 0;                   // the height before the epoch's first block
  std::string epoch_base_digest_;                  // its hash ("" at 0)
  std::optional<std::uint64_t> epoch_last_;        // the epoch's last height, once decided
  std::optional<ledger::ValidatorSet> next_set_;   // the next epoch's set, once known
  std::vector<v1::Envelope> next_epoch_messages_;  // opened again on entering it
  bool epoch_check_due_ = false;                   // a block was executed this turn
  bool epoch_started_ = false;             // entered an epoch this turn: held messages to replay
  std::uint64_t executed_block_view_ = 0;  // the view the executed head names
  const v1::Genesis genesis_;
  const crypto::Ed25519PrivateKey identity_;
  std::unique_ptr<ledger::LedgerState> state_;
  ReplicaIo& io_;
  Logger& log_;
  const Clock& clock_;

  std::uint64_t view_ = 0;
  bool in_view_change_ = false;
  Head executed_;  // executed in memory
  std::uint64_t durable_height_ = 0;
  v1::QuorumCertificate durable_qc_;  // proves durable_height_ to peers (in Status)
  std::map<std::uint64_t, std::string> durable_hashes_;  // recent, for checkpoints
  Head tip_;  // newest accepted pre-prepare (tentative chain)
  std::uint64_t stable_seq_ = 0;
  std::vector<v1::Envelope> stable_proof_;
  std::map<std::uint64_t, Slot> slots_;
  std::map<std::uint64_t, std::pair<v1::Envelope, v1::PrePrepare>> future_pre_prepares_;
  // Pre-prepares of the view this replica is changing to that arrived before its
  // new-view; enter_view() takes them up. Bounded by the watermarks, like the above.
  std::map<std::uint64_t, std::pair<v1::Envelope, v1::PrePrepare>> early_pre_prepares_;
  VoteSet checkpoints_;  // by seq: each validator's checkpoint (digest = block hash)

  // Requests waiting to be ordered (the primary's queue) and what was ordered.
  RequestPool pool_;

  // Requests waited on here: submitted on this node, or relayed by backups (liveness).
  LocalRequests local_;

  // View change.
  std::map<std::uint64_t, std::map<std::uint32_t, std::pair<v1::Envelope, CheckedViewChange>>>
      view_changes_;
  std::map<std::uint64_t, v1::Envelope> new_views_;  // views this replica entered by new-view
  ProgressTimer timer_;
  SentVotes my_votes_;                        // what the journal says was sent
  std::vector<v1::VoteRecord> journal_live_;  // records above the stable checkpoint

  // Status of peers.
  PeerStatus peers_;
  std::chrono::nanoseconds next_status_{0};
  BlockFetch fetch_;  // state transfer in flight

  // DAG side chain (side_chain.hpp); null on a chain without one.
  SideChain* side_chain_ = nullptr;
  std::chrono::nanoseconds next_milestone_{0};
  bool waits_for_side_chain_ = false;  // a pre-prepare waits for DAG transactions

  ReplicaStats stats_;
};

}  // namespace itc::pbft
