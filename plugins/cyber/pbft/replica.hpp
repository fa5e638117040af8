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
// Thread safety: none. The plugin calls it from its protocol thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "itc/crypto.hpp"
#include "itc/host_env.hpp"
#include "itc/chain/state.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/v1/consensus.pb.h"
#include "view_change.hpp"

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
};

// A reading's identity: the primary orders each one once (a copy is skipped).
std::string reading_key(const v1::Reading& r);

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
};

struct ReplicaStats {
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
};

class Replica {
 public:
  // `state` holds the committed state at `committed` (the store's head; nullopt = empty).
  Replica(ReplicaOptions options, ledger::ValidatorSet validators, v1::Genesis genesis,
          crypto::Ed25519PrivateKey identity, std::unique_ptr<ledger::LedgerState> state,
          std::optional<v1::BlockCommitted> committed, ReplicaIo& io, Logger& log,
          const Clock& clock);

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

  ReplicaStats stats() const;
  std::uint32_t primary() const { return validators_.primary_of(view_); }
  bool is_primary() const { return primary() == opt_.self; }

 private:
  struct Votes {  // per view: sender -> (digest, envelope)
    std::map<std::uint64_t, std::map<std::uint32_t, std::pair<std::string, v1::Envelope>>> by_view;
    std::size_t matching(std::uint64_t view, const std::string& digest,
                         std::optional<std::uint32_t> except = std::nullopt) const;
  };
  struct Slot {
    std::uint64_t view = 0;  // view of the accepted pre-prepare
    bool has_pre_prepare = false;
    v1::Envelope pre_prepare;
    v1::Block block;
    std::string digest;
    Votes prepares;
    Votes commits;
    bool prepared = false;  // in `view`
    bool commit_sent = false;
    bool committed = false;                              // 2f+1 commits in `view`
    std::optional<v1::PreparedCertificate> certificate;  // latest prepared, any view
    std::uint64_t certificate_view = 0;
  };
  struct Pending {  // a request waiting at the primary
    v1::Request request;
    std::uint32_t origin;
    std::string tx_id;  // empty for readings
  };
  struct LocalTx {  // a transaction submitted here, until resolved
    v1::Transaction tx;
    std::chrono::nanoseconds submitted;
  };
  struct LocalBundle {
    v1::Request request;
    std::chrono::nanoseconds sent;
  };

  // Normal case.
  void try_propose();
  std::optional<v1::Block> build_block();
  void on_pre_prepare(const v1::Envelope& env, const v1::PrePrepare& pp, bool from_new_view);
  void accept_buffered();
  Status check_and_execute_tentatively(const v1::Block& block, std::uint64_t view,
                                       bool from_new_view);
  void on_prepare(std::uint32_t sender, const v1::Envelope& env, const v1::Prepare& p);
  void on_commit(std::uint32_t sender, const v1::Envelope& env, const v1::Commit& c);
  void update_slot(std::uint64_t seq);
  void execute_ready();
  void on_forward(std::uint32_t sender, const v1::ForwardRequests& fwd);
  void enqueue(const v1::Request& request, std::uint32_t origin);
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
  std::optional<std::uint64_t> settled_view_ahead() const;

  // State transfer and status.
  void send_status();
  void on_status(std::uint32_t sender, const v1::Status& s);
  void note_proven_height(std::uint32_t sender, const v1::Status& s);
  std::pair<std::uint32_t, std::uint64_t> best_proven_peer() const;
  bool missing_below_buffered() const;
  void catch_up();
  std::size_t recent_peers() const;  // peers heard from lately
  void on_blocks(std::uint32_t sender, const v1::BlockBatch& batch);
  Status check_transferred(const v1::Block& block) const;
  Status apply_transferred(const v1::Block& block);
  void request_transfer(std::uint32_t from_peer, std::uint64_t up_to);

  // Helpers.
  v1::Envelope sign_and_record(v1::ConsensusMessage msg, bool journal);
  bool would_equivocate(int kind, std::uint64_t view, std::uint64_t seq, const std::string& digest);
  void reject(const std::string& what);
  std::chrono::nanoseconds now() const { return clock_.steady_now(); }
  std::uint64_t high_watermark() const { return stable_seq_ + 2ull * opt_.checkpoint_interval; }
  std::string fee_recipient(const v1::BlockHeader& header) const;

  const ReplicaOptions opt_;
  const ledger::ValidatorSet validators_;
  const v1::Genesis genesis_;
  const crypto::Ed25519PrivateKey identity_;
  std::unique_ptr<ledger::LedgerState> state_;
  ReplicaIo& io_;
  Logger& log_;
  const Clock& clock_;

  std::uint64_t view_ = 0;
  bool in_view_change_ = false;
  std::uint64_t executed_height_ = 0;  // executed in memory
  std::string executed_hash_;
  std::int64_t executed_timestamp_us_ = 0;
  std::uint64_t durable_height_ = 0;
  v1::QuorumCertificate durable_qc_;  // proves durable_height_ to peers (in Status)
  std::map<std::uint64_t, std::string> durable_hashes_;  // recent, for checkpoints
  std::uint64_t tip_seq_ = 0;  // newest accepted pre-prepare (tentative chain)
  std::string tip_hash_;
  std::int64_t tip_timestamp_us_ = 0;
  std::uint64_t stable_seq_ = 0;
  std::string stable_digest_;
  std::vector<v1::Envelope> stable_proof_;
  std::map<std::uint64_t, Slot> slots_;
  std::map<std::uint64_t, std::pair<v1::Envelope, v1::PrePrepare>> future_pre_prepares_;
  std::map<std::uint64_t, std::map<std::uint32_t, std::pair<std::string, v1::Envelope>>>
      checkpoints_;

  // Primary's queue.
  std::deque<Pending> queue_;
  std::unordered_set<std::string> queued_ids_;
  std::chrono::nanoseconds oldest_queued_{0};
  // Transaction ids and reading keys in accepted blocks (tentative) and executed ones.
  std::unordered_set<std::string> accepted_ids_;
  std::unordered_set<std::string> executed_ids_;
  std::deque<std::string> executed_ids_order_;

  // Requests that entered here, kept until they commit (re-sent after a view change).
  std::map<std::string, LocalTx> local_txs_;
  std::map<std::string, std::chrono::nanoseconds> watched_;  // relayed to us by backups
  bool relayed_ = false;  // local requests were relayed to all since the last progress
  std::chrono::nanoseconds last_progress_{0};
  std::deque<LocalBundle> local_bundles_;
  std::uint64_t next_bundle_seq_ = 1;

  // View change.
  std::map<std::uint64_t, std::map<std::uint32_t, std::pair<v1::Envelope, CheckedViewChange>>>
      view_changes_;
  std::map<std::uint64_t, v1::Envelope> new_views_;  // views this replica entered by new-view
  std::chrono::nanoseconds progress_deadline_{0};
  std::chrono::nanoseconds current_timeout_;
  std::uint32_t consecutive_view_changes_ = 0;
  // What the journal says was sent: (kind, view, seq) -> digest.
  std::map<std::tuple<int, std::uint64_t, std::uint64_t>, std::string> my_votes_;
  std::vector<v1::VoteRecord> journal_live_;  // records above the stable checkpoint

  // Status of peers.
  std::map<std::uint32_t, v1::Status> peer_status_;
  std::map<std::uint32_t, std::uint64_t> proven_heights_;  // by the QC of their Status
  std::map<std::uint32_t, std::string> refused_claims_;    // last unproven Status, as sent
  std::map<std::uint32_t, std::chrono::nanoseconds> claim_logged_;
  std::map<std::uint32_t, std::chrono::nanoseconds> last_heard_;
  std::chrono::nanoseconds next_status_{0};
  std::chrono::nanoseconds transfer_sent_{0};
  std::uint64_t transfer_target_ = 0;
  // The peer that served the last chunk, while the store had no room for the next one.
  std::optional<std::uint32_t> transfer_resume_peer_;

  ReplicaStats stats_;
};

}  // namespace itc::pbft
