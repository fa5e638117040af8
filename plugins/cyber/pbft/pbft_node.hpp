// PbftNode: the running validator. It owns the threads around the single-threaded
// Replica:
//   - the network's I/O threads open envelopes (signature checks, including every
//     transaction of a pre-prepare or forward) and post them to the protocol thread;
//   - the protocol thread runs the Replica, then makes the turn's votes durable in the
//     journal, and only then hands the turn's messages to the network;
//   - the committer thread appends executed blocks (with their QC and state delta) to the
//     LedgerStore, announces them on topics::kBlocks and tells the Replica they are
//     durable.
// It is also the node's TransactionPool (the admin API's POST /v1/tx).
//
// Readings from this node's sources wait in a ReadingBacklog until a block stored here
// holds them (at most max_pending_readings: then add_reading() waits, holding the
// sources back). At most kMaxUnstoredBlocks executed blocks wait for the store; then
// the replica stops executing (ReplicaIo::store_room). save_backlog() journals what
// a stop leaves; start() proposes it again.
// The links to peers follow the chain's validator set: at an epoch boundary (the Replica
// calls epoch_changed) the PeerNetwork is opened again over the new set, so new members
// are dialled at their addresses and removed ones are refused; every frame is tagged with
// the epoch of the links that opened it. A validator added by a reconfiguration starts with
// `joining_proposal` (the approved Reconfigure): its links use that set while its chain
// catches up from genesis by state transfer.
// Thread safety: submit() from any thread; the rest is called by PbftPlugin.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dag_link.hpp"
#include "fetch_budget.hpp"
#include "itc/host_env.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/p2p/peer_network.hpp"
#include "itc/services/device_transactions.hpp"
#include "itc/services/ledger_store.hpp"
#include "itc/services/node_lifecycle.hpp"
#include "itc/services/transaction_pool.hpp"
#include "pending_journal.hpp"
#include "reading_backlog.hpp"
#include "replay_filter.hpp"
#include "replica.hpp"
#include "vote_journal.hpp"

namespace itc::pbft {

struct NodeSettings {
  ReplicaOptions replica;
  std::string genesis_file;
  std::string identity_key_file;
  std::string listen_address;
  bool sync_votes = true;
  std::uint32_t max_pending_readings = 200000;  // readings accepted, not yet stored here
  std::uint32_t max_pending_handshakes = 128;   // PeerNetworkOptions
  std::uint32_t max_pending_handshakes_per_address = 8;
  bool dag = false;                      // blocks carry DAG milestones (dag_link.hpp)
  std::string joining_proposal;          // the Reconfigure that added this validator (JSON)
  bool follower = false;                 // role: follower (a full node: follows, never votes)
  std::vector<net::PeerSpec> followers;  // on a validator: the full nodes it accepts
};

class PbftNode final : public ReplicaIo, public TransactionPool, public DeviceTransactions {
 public:
  // Loads genesis and key, checks the key is a validator's. Nothing runs yet.
  static Result<std::unique_ptr<PbftNode>> create(HostEnv& env, NodeSettings settings);
  ~PbftNode() override;

  // Restores state from the store and the journal, opens the network, starts threads.
  Status start(LedgerStore* store);
  // Stops taking work, lets the committer finish what was executed, stops the threads.
  void stop();
  // After stop(): saves the readings not in a stored block to the journal (fsynced).
  // Aborted naming how many readings are lost if that fails.
  Status save_backlog();

  // Waits while max_pending_readings wait (never while the node stops or a hot swap
  // begins: NodeLifecycle).
  void add_reading(const v1::Reading& reading);

  // TransactionPool
  void submit(const v1::Transaction& tx, std::function<void(v1::TxResult)> done) override;

  // DeviceTransactions (with settings.dag): run on the protocol thread; Unavailable-style
  // answers ("refused", reason "unavailable") while the node is not running.
  v1::DagSubmitResult submit(std::string bytes) override;
  v1::DagTxStatus status(std::string id) override;
  v1::DagTips tips(std::uint32_t count) override;
  Result<v1::DagInclusion> inclusion(std::string id) override;

  // ReplicaIo (protocol thread)
  void send(std::uint32_t peer, const v1::Envelope& envelope) override;
  void broadcast(const v1::Envelope& envelope) override;
  void record(const v1::VoteRecord& record) override;
  void commit_block(v1::Block block, v1::StateDelta delta) override;
  void tx_done(const std::string& tx_id, const v1::TxResult& result) override;
  void compact_journal(const std::vector<v1::VoteRecord>& keep) override;
  std::size_t store_room() const override;
  void epoch_changed(const ledger::ValidatorSet& validators, std::uint64_t epoch,
                     std::optional<std::uint32_t> self) override;
  std::optional<std::string> stored_hash(std::uint64_t height) const override;

 private:
  PbftNode(HostEnv& env, NodeSettings settings, v1::Genesis genesis,
           ledger::ValidatorSet validators, crypto::Ed25519PrivateKey identity,
           std::optional<v1::ValidatorEpoch> joining);

  // The links of one epoch: its set numbers the peers, and what the I/O threads keep per
  // peer. The frame handler holds it, so a frame is always opened with the set it came by.
  // On a validator, the followers it accepts are the peers after the set's validators
  // (peer set.size() + j is followers[j]); on a follower, `self` is set.size().
  struct Links {
    Links(ledger::ValidatorSet set, std::uint64_t epoch, std::uint32_t self,
          std::vector<net::PeerSpec> followers, const Clock& clock);
    const ledger::ValidatorSet set;
    const std::uint64_t epoch;
    const std::uint32_t self;
    const std::vector<net::PeerSpec> followers;
    ReplayFilter replay_filter;  // copies of a peer's recent frames
    FetchBudget fetch_budget;    // what each peer may make this node serve
    std::atomic<net::PeerNetwork*> network{nullptr};
  };
  // Opens the PeerNetwork over `set` (this validator is `self` in it).
  Status open_links(const ledger::ValidatorSet& set, std::uint64_t epoch, std::uint32_t self);
  void close_links();

  void post(std::function<void()> task);
  // Runs `task` on the protocol thread and returns its result; nullopt if the node is not
  // running or does not answer within 10 s.
  template <typename T>
  std::optional<T> ask(std::function<T()> task);
  Status start_dag(const std::vector<v1::DeviceRecord>& devices);
  void on_dag_message(std::uint32_t peer, const v1::ConsensusMessage& msg);
  void protocol_loop();
  void end_turn();
  void committer_loop();
  void on_frame(const std::shared_ptr<Links>& links, std::uint32_t peer, std::string frame);
  // Full nodes (follower.cpp).
  Status start_follower_links(const ledger::ValidatorSet& set, std::uint64_t epoch);
  void on_follower_frame(const std::shared_ptr<Links>& links, std::uint32_t peer,
                         const std::string& frame);
  void submit_follower_tx(const std::shared_ptr<Links>& links, std::uint32_t peer,
                          const v1::Transaction& tx);
  void forward_tx(const v1::Transaction& tx, const std::string& id);
  void answer_followed_txs(const v1::Block& block);
  void expire_forwarded();
  // Whether a broadcast goes to the followers too (statuses: they prove heights).
  static bool for_followers(const v1::Envelope& envelope);
  void send_out(std::int64_t peer, const v1::Envelope& envelope);
  void serve_blocks(Links& links, std::uint32_t peer, const v1::FetchBlocks& fetch);
  void publish_metrics();
  void submit_backlog(std::chrono::nanoseconds now);
  Status reload_journal();
  void after_stored(const v1::Block& block);
  void note_stall();
  bool stopping() const { return lifecycle_ != nullptr && lifecycle_->stopping(); }
  std::uint64_t interruptions() const {
    return lifecycle_ != nullptr ? lifecycle_->interruptions() : 0;
  }

  HostEnv& env_;
  const NodeSettings settings_;
  const v1::Genesis genesis_;
  const ledger::ValidatorSet validators_;  // the genesis set (chain id, epoch 0)
  const crypto::Ed25519PrivateKey identity_;
  const std::optional<v1::ValidatorEpoch> joining_;  // settings.joining_proposal's set
  std::uint32_t self_ = 0;        // index in the current links' set (protocol thread)
  std::shared_ptr<Links> links_;  // protocol thread
  LedgerStore* store_ = nullptr;

  std::unique_ptr<VoteJournal> journal_;
  std::unique_ptr<Replica> replica_;
  std::unique_ptr<net::PeerNetwork> network_;
  std::unique_ptr<DagLink> dag_;  // with settings.dag; protocol thread only

  // Protocol thread.
  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  std::deque<std::function<void()>> tasks_;
  std::atomic<bool> running_{false};
  std::thread loop_thread_;
  std::vector<std::pair<std::int64_t, v1::Envelope>> outbox_;  // peer (-1 = all), message

  // Readings accepted here and not yet in a block stored here.
  ReadingBacklog backlog_;
  NodeLifecycle* lifecycle_ = nullptr;  // host-provided; null in a bare test environment
  std::atomic<bool> backlog_full_flag_{false};
  std::chrono::nanoseconds next_resubmit_{0};
  pending::PendingJournal pending_journal_;
  std::mutex pending_journal_mu_;           // guards the two below
  bool pending_journal_live_ = false;       // the journal holds readings not yet stored
  std::uint64_t pending_journal_last_ = 0;  // backlog arrival number of its last reading

  // Committer thread.
  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  std::deque<std::pair<v1::Block, v1::StateDelta>> to_commit_;
  std::atomic<std::size_t> unstored_blocks_{0};  // executed, not yet stored
  std::atomic<bool> store_failing_{false};       // the last append failed
  std::atomic<bool> store_stalled_flag_{false};
  bool committer_stop_ = false;
  std::thread committer_thread_;

  // Transactions submitted here: id -> callbacks.
  std::mutex tx_mu_;
  std::map<std::string, std::vector<std::function<void(v1::TxResult)>>> waiting_;
  // On a follower: transactions forwarded to a validator, with when to give up on them.
  std::map<std::string, std::chrono::nanoseconds> forwarded_;  // guarded by tx_mu_
  std::uint32_t next_forward_target_ = 0;                      // protocol thread

  std::atomic<std::uint64_t> rejected_frames_{0};
  std::atomic<std::int64_t> last_reject_log_ns_{0};

  Counter& blocks_committed_;
  Counter& readings_committed_;
  Counter& txs_committed_;
  Counter& frames_rejected_;
  Counter& frames_replayed_;
  Counter& blocks_served_;
  Counter& fetches_refused_;
  Counter& readings_held_back_;
  Counter& handshakes_refused_;
  Counter& handshakes_refused_per_address_;
  Counter& handshakes_timed_out_;
  Gauge& pending_readings_;
  Gauge& backlog_full_;
  Gauge& blocks_awaiting_store_;
  Gauge& store_stalled_;
  Gauge& handshakes_pending_;
  Gauge& handshakes_peak_pending_;
  Gauge& height_;
  Gauge& view_;
  Gauge& view_changes_;
  Gauge& last_block_latency_;
  Gauge& stable_checkpoint_;
  Gauge& transferred_blocks_;
  Gauge& ordered_blocks_;
  Gauge& divergences_;
  Gauge& epoch_;
  Gauge& member_;
  Gauge& is_primary_;
  Gauge& peers_connected_;
  Gauge& dag_held_;
  Gauge& dag_admitted_;
  Gauge& dag_milestone_;
  Counter& follower_votes_dropped_;
  Counter& follower_frames_rejected_;
  Gauge& followers_connected_;
  Gauge& follower_;
  Gauge& follower_height_lag_;
  std::atomic<std::int64_t> last_follower_log_ns_{0};
};

}  // namespace itc::pbft
