#include "pbft_node.hpp"

#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <future>

#include "envelope.hpp"
#include "itc/bus.hpp"
#include "itc/chain/state.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/transactions.hpp"
#include "parameters.hpp"

namespace itc::pbft {
namespace {

constexpr auto kTick = std::chrono::milliseconds(1);
constexpr std::size_t kBundleReadings = 2000;
constexpr std::uint64_t kMaxServedBlocks = 64;
constexpr std::chrono::milliseconds kReplayWindow{500};
// Executed blocks that may wait for the store at once (each up to max_block_readings): two
// state-transfer chunks, so a replica catching up fetches one while the store writes one.
constexpr std::size_t kMaxUnstoredBlocks = 128;

std::int64_t oldest_sample_us(const v1::Block& block) {
  std::int64_t oldest = 0;
  for (const auto& r : block.readings()) {
    if (oldest == 0 || r.sampled_at_us() < oldest) oldest = r.sampled_at_us();
  }
  return oldest;
}

// The set a joining validator's links use until its chain reaches it: the approved
// Reconfigure (itc validators approve writes it) that names this validator's key.
Result<v1::ValidatorEpoch> load_joining_proposal(const std::string& path, const std::string& key) {
  auto text = read_file(path);
  if (!text.ok()) return text.status().WithContext("joining_proposal");
  v1::Reconfigure change;
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = false;
  if (auto st = google::protobuf::util::JsonStringToMessage(*text, &change, o); !st.ok()) {
    return Status::InvalidArgument("joining_proposal: " + path +
                                   " is not a Reconfigure in JSON: " + st.ToString());
  }
  v1::ValidatorEpoch epoch;
  epoch.set_epoch(change.epoch());
  *epoch.mutable_validators() = change.validators();
  bool named = false;
  for (const auto& v : change.validators()) named = named || v.public_key() == key;
  if (!named) {
    return Status::InvalidArgument("joining_proposal: " + path + " (epoch " +
                                   std::to_string(change.epoch()) + ") does not name key " +
                                   crypto::to_hex(key).substr(0, 16) + "…");
  }
  return epoch;
}

}  // namespace

Result<std::unique_ptr<PbftNode>> PbftNode::create(HostEnv& env, NodeSettings settings) {
  auto genesis = ledger::load_genesis(settings.genesis_file);
  if (!genesis.ok()) return genesis.status().WithContext("genesis_file");
  auto validators = ledger::ValidatorSet::from_genesis(*genesis);
  if (!validators.ok()) return validators.status().WithContext("genesis_file");
  auto key = crypto::Ed25519PrivateKey::load_pem_file(settings.identity_key_file);
  if (!key.ok()) return key.status().WithContext("identity_key_file");
  // Whether the key is a validator's is the chain's answer (start(): the set of the
  // store's epoch); a genesis validator's key is known now.
  std::optional<v1::ValidatorEpoch> joining;
  if (!settings.joining_proposal.empty()) {
    auto loaded = load_joining_proposal(settings.joining_proposal, key->public_key());
    if (!loaded.ok()) return loaded.status();
    joining = std::move(*loaded);
  }
  return std::unique_ptr<PbftNode>(new PbftNode(env, std::move(settings), std::move(*genesis),
                                                std::move(*validators), std::move(*key),
                                                std::move(joining)));
}

PbftNode::Links::Links(ledger::ValidatorSet s, std::uint64_t e, std::uint32_t me,
                       std::vector<net::PeerSpec> f, const Clock& clock)
    : set(std::move(s)),
      epoch(e),
      self(me),
      followers(std::move(f)),
      replay_filter(std::max<std::size_t>(set.size() + followers.size(), me + 1), kReplayWindow,
                    clock),
      fetch_budget(std::max<std::size_t>(set.size() + followers.size(), me + 1), FetchLimits{},
                   clock) {}

PbftNode::PbftNode(HostEnv& env, NodeSettings settings, v1::Genesis genesis,
                   ledger::ValidatorSet validators, crypto::Ed25519PrivateKey identity,
                   std::optional<v1::ValidatorEpoch> joining)
    : env_(env),
      settings_(std::move(settings)),
      genesis_(std::move(genesis)),
      validators_(std::move(validators)),
      identity_(std::move(identity)),
      joining_(std::move(joining)),
      pending_journal_(env.data_dir()),
      blocks_committed_(env.metrics().counter("blocks_committed", "Blocks committed and stored")),
      readings_committed_(
          env.metrics().counter("readings_committed", "Readings in committed blocks")),
      txs_committed_(env.metrics().counter("txs_committed", "Transactions in committed blocks")),
      frames_rejected_(env.metrics().counter(
          "frames_rejected", "Peer messages refused (bad signature, malformed, wrong sender)")),
      frames_replayed_(env.metrics().counter(
          "frames_replayed",
          "Peer messages dropped unread: a copy of one the peer sent within 500 ms")),
      blocks_served_(
          env.metrics().counter("blocks_served", "Blocks served to peers by state transfer")),
      fetches_refused_(env.metrics().counter(
          "fetches_refused",
          "Fetch requests not served: a copy of one just served, or over the peer's budget")),
      readings_held_back_(env.metrics().counter(
          "readings_held_back", "Readings that found the backlog full: their source waited")),
      handshakes_refused_(env.metrics().counter(
          "handshakes_refused",
          "Incoming peer handshakes reset unread: max_pending_handshakes reached")),
      handshakes_refused_per_address_(env.metrics().counter(
          "handshakes_refused_per_address",
          "Incoming peer handshakes reset unread: max_pending_handshakes_per_address reached")),
      handshakes_timed_out_(env.metrics().counter(
          "handshakes_timed_out", "Incoming peer handshakes closed after the handshake timeout")),
      pending_readings_(env.metrics().gauge(
          "pending_readings", "Readings accepted here and not yet in a block stored here")),
      backlog_full_(env.metrics().gauge(
          "backlog_full", "1 while max_pending_readings wait and the sources are held back")),
      blocks_awaiting_store_(env.metrics().gauge("blocks_awaiting_store",
                                                 "Executed blocks the store has not yet stored")),
      store_stalled_(env.metrics().gauge(
          "store_stalled",
          "1 while the store refuses blocks and the replica has stopped executing")),
      handshakes_pending_(
          env.metrics().gauge("handshakes_pending", "Incoming peer TLS handshakes in progress")),
      handshakes_peak_pending_(env.metrics().gauge(
          "handshakes_peak_pending", "The most incoming peer TLS handshakes in progress at once")),
      height_(env.metrics().gauge("height", "Height of the last stored block")),
      view_(env.metrics().gauge("view", "Current PBFT view")),
      view_changes_(
          env.metrics().gauge("view_changes", "View changes this replica started or joined")),
      last_block_latency_(env.metrics().gauge("last_block_latency_seconds",
                                              "Proposal to durable commit of the last block")),
      stable_checkpoint_(
          env.metrics().gauge("stable_checkpoint", "Height of the last stable checkpoint")),
      transferred_blocks_(
          env.metrics().gauge("transferred_blocks", "Blocks fetched by state transfer")),
      ordered_blocks_(env.metrics().gauge(
          "ordered_blocks",
          "Blocks committed through this validator's own votes (the normal case)")),
      divergences_(
          env.metrics().gauge("divergences", "State-root or checkpoint divergences detected")),
      epoch_(env.metrics().gauge("epoch", "The validator-set epoch this replica works in")),
      member_(env.metrics().gauge("validator_member",
                                  "1 while this validator is in the current epoch's set")),
      is_primary_(env.metrics().gauge("is_primary", "1 while this validator is the primary")),
      peers_connected_(
          env.metrics().gauge("peers_connected", "Validators with a live link both ways")),
      dag_held_(env.metrics().gauge("dag_held", "DAG transactions held in memory")),
      dag_admitted_(env.metrics().gauge(
          "dag_admitted", "DAG transactions admitted since start (from devices and peers)")),
      dag_milestone_(env.metrics().gauge("dag_milestone", "Index of the latest DAG milestone")),
      follower_votes_dropped_(env.metrics().counter(
          "follower_votes_dropped",
          "Consensus messages from followers dropped: a follower never counts toward a quorum")),
      follower_frames_rejected_(env.metrics().counter(
          "follower_frames_rejected", "Frames from followers refused (malformed, bad signature)")),
      followers_connected_(
          env.metrics().gauge("followers_connected", "Followers with a live link both ways")),
      follower_(env.metrics().gauge(
          "follower", "1 on a full node that follows the chain without voting (role follower)")),
      follower_height_lag_(env.metrics().gauge(
          "follower_height_lag",
          "Blocks between the highest height a peer's QC proves and this node's")) {
  lifecycle_ = env.services().find<NodeLifecycle>();
  env.metrics()
      .gauge("max_pending_readings", "The backlog's bound (config)")
      .set(static_cast<double>(settings_.max_pending_readings));
}

PbftNode::~PbftNode() { stop(); }

Status PbftNode::start(LedgerStore* store) {
  if (!store)
    return Status::FailedPrecondition(
        "pbft needs a LedgerStore (load store-sqlite or store-postgres)");
  store_ = store;
  // Committed state: genesis, then the store's state at its head.
  auto state = std::make_unique<ledger::LedgerState>(genesis_);
  auto head = store->head();
  if (!head.ok()) return head.status();
  std::vector<v1::DeviceRecord> devices(genesis_.devices().begin(), genesis_.devices().end());
  if (*head) {
    devices.clear();
    std::vector<v1::StateEntry> entries;
    ITC_RETURN_IF_ERROR(store->scan_state([&](const std::string& k, const std::string& v) {
      if (k.starts_with("d/") && !devices.emplace_back().ParseFromString(v)) devices.pop_back();
      v1::StateEntry e;
      e.set_key(k);
      e.set_value(v);
      entries.push_back(std::move(e));
      return Status::Ok();
    }));
    ITC_RETURN_IF_ERROR(
        state->restore(entries, (*head)->header().height(), (*head)->header().state_root())
            .WithContext("restoring the ledger state from the store"));
  }
  std::vector<v1::VoteRecord> records;
  const std::string journal_path = env_.data_dir() + "/pbft-votes.journal";
  auto journal = VoteJournal::open(journal_path, settings_.sync_votes, &records);
  if (!journal.ok()) return journal.status();
  journal_ = std::move(*journal);
  replica_ = std::make_unique<Replica>(settings_.replica, validators_, genesis_, identity_,
                                       std::move(state), *head, *this, env_.log(), env_.clock());
  // The links: the set of the replica's epoch if this key is in it; a validator added by a
  // reconfiguration, with an older chain, uses the set of its joining proposal meanwhile.
  const ledger::ValidatorSet& set = replica_->validators();
  const std::uint64_t head_height = *head ? (*head)->header().height() : 0;
  if (settings_.follower) {
    if (auto me = set.index_of(identity_.public_key())) {
      return Status::InvalidArgument("identity_key_file: role follower, but key " +
                                     crypto::to_hex(identity_.public_key()).substr(0, 16) +
                                     "… is validator " + set.validator(*me).name() + "'s (epoch " +
                                     std::to_string(replica_->epoch()) +
                                     "): a follower needs a node key of its own");
    }
    ITC_RETURN_IF_ERROR(start_follower_links(set, replica_->epoch()));
  } else if (auto me = set.index_of(identity_.public_key())) {
    ITC_RETURN_IF_ERROR(open_links(set, replica_->epoch(), *me));
  } else if (joining_ && joining_->epoch() > replica_->epoch()) {
    auto joined =
        ledger::ValidatorSet::from_validators(validators_.chain_id(), joining_->validators());
    if (!joined.ok()) return joined.status().WithContext("joining_proposal");
    const std::uint32_t me_joined = *joined->index_of(identity_.public_key());
    replica_->expect_set(*joined);
    ITC_RETURN_IF_ERROR(open_links(*joined, joining_->epoch(), me_joined));
    env_.log().info("pbft: joining epoch " + std::to_string(joining_->epoch()) + " as " +
                    joined->validator(me_joined).name() + ": catching up from height " +
                    std::to_string(head_height) + " (epoch " + std::to_string(replica_->epoch()) +
                    ") by state transfer");
  } else {
    return Status::InvalidArgument(
        "identity_key_file: key " + crypto::to_hex(identity_.public_key()).substr(0, 16) +
        "… is not a validator of epoch " + std::to_string(replica_->epoch()) +
        " (the set signing block " + std::to_string(head_height + 1) + " on this chain)" +
        (joining_ ? std::string(" and joining_proposal is for epoch ") +
                        std::to_string(joining_->epoch())
                  : std::string("; a validator added by a reconfiguration starts with "
                                "joining_proposal: the approved proposal naming its key")));
  }
  replica_->restore_votes(records);
  ITC_RETURN_IF_ERROR(reload_journal());
  if (settings_.dag) ITC_RETURN_IF_ERROR(start_dag(devices));

  running_ = true;
  committer_stop_ = false;
  committer_thread_ = std::thread([this] { committer_loop(); });
  loop_thread_ = std::thread([this] { protocol_loop(); });
  if (settings_.follower) {
    follower_.set(1);
    env_.log().info("pbft: full node (role follower, key " +
                    crypto::to_hex(identity_.public_key()).substr(0, 16) + "…) following " +
                    std::to_string(links_->set.size()) + " validators (epoch " +
                    std::to_string(links_->epoch) + ") on chain " + validators_.chain_id() +
                    " from height " + std::to_string(head_height) + "; it never votes");
    return Status::Ok();
  }
  env_.log().info("pbft: validator " + links_->set.validator(self_).name() + " (" +
                  std::to_string(self_) + " of " + std::to_string(links_->set.size()) +
                  ", f=" + std::to_string(links_->set.max_faulty()) + ", epoch " +
                  std::to_string(links_->epoch) + ") on chain " + validators_.chain_id() +
                  " at height " + std::to_string(head_height));
  return Status::Ok();
}

Status PbftNode::open_links(const ledger::ValidatorSet& set, std::uint64_t epoch,
                            std::uint32_t self) {
  // A follower is the peer after the validators in its own links; a validator's followers
  // come after the validators in its.
  std::vector<net::PeerSpec> followers;
  if (!settings_.follower) followers = settings_.followers;
  auto links = std::make_shared<Links>(set, epoch, self, followers, env_.clock());
  net::PeerNetworkOptions opts;
  opts.self_index = self;
  for (std::uint32_t i = 0; i < set.size(); ++i) {
    const auto& v = set.validator(i);
    opts.peers.push_back({v.name(), v.public_key(), v.address()});
  }
  if (settings_.follower) {
    opts.peers.push_back({"follower-" + crypto::to_hex(identity_.public_key()).substr(0, 8),
                          identity_.public_key(), settings_.listen_address});
  }
  for (const auto& f : followers) opts.peers.push_back(f);
  opts.identity = identity_;
  opts.listen_address = settings_.listen_address;
  opts.io_threads = 2;
  opts.max_pending_handshakes = settings_.max_pending_handshakes;
  opts.max_pending_handshakes_per_address = settings_.max_pending_handshakes_per_address;
  auto network = net::PeerNetwork::start(
      std::move(opts),
      [this, links](std::uint32_t peer, std::string frame) {
        on_frame(links, peer, std::move(frame));
      },
      env_.log());
  if (!network.ok()) return network.status();
  network_ = std::move(*network);
  links->network = network_.get();
  links_ = std::move(links);
  self_ = self;
  epoch_.set(static_cast<double>(epoch));
  return Status::Ok();
}

void PbftNode::close_links() {
  if (network_) network_->stop();  // no frame handler of it runs after this
  if (links_) links_->network = nullptr;
  network_.reset();
}

void PbftNode::epoch_changed(const ledger::ValidatorSet& validators, std::uint64_t epoch,
                             std::optional<std::uint32_t> self) {
  epoch_.set(static_cast<double>(epoch));
  member_.set(self ? 1 : 0);
  if (links_ && links_->epoch == epoch) return;  // joined with this set's links already
  if (settings_.follower) {                      // a full node dials the new set
    outbox_.clear();
    close_links();
    if (Status s = start_follower_links(validators, epoch); !s.ok()) {
      env_.log().error("pbft: cannot open the links of epoch " + std::to_string(epoch) + ": " +
                       s.message());
    }
    return;
  }
  // This turn's broadcasts (the last block's commit among them: the others may need it)
  // go out on the new links; messages to one peer were numbered by the old set.
  std::erase_if(outbox_, [](const auto& item) { return item.first >= 0; });
  if (!self) end_turn();  // its last votes, as far as the old links still carry them
  close_links();
  if (!self) {
    env_.log().warn("pbft: links to the other validators closed: this key is not in epoch " +
                    std::to_string(epoch) + "'s set");
    return;
  }
  if (Status s = open_links(validators, epoch, *self); !s.ok()) {
    env_.log().error("pbft: cannot open the links of epoch " + std::to_string(epoch) + ": " +
                     s.message());
    return;
  }
  env_.log().info("pbft: links follow epoch " + std::to_string(epoch) + ": " +
                  std::to_string(validators.size()) + " validators, this one " +
                  validators.validator(*self).name());
}

std::optional<std::string> PbftNode::stored_hash(std::uint64_t height) const {
  if (store_ == nullptr) return std::nullopt;
  auto block = store_->block(height);
  if (!block.ok()) return std::nullopt;
  return block->hash();
}

void PbftNode::stop() {
  if (running_.exchange(false)) {
    loop_cv_.notify_all();
    if (loop_thread_.joinable()) loop_thread_.join();
  }
  if (network_) network_->stop();
  {
    std::lock_guard lock(commit_mu_);
    committer_stop_ = true;
  }
  commit_cv_.notify_all();
  if (committer_thread_.joinable()) committer_thread_.join();
  std::map<std::string, std::vector<std::function<void(v1::TxResult)>>> waiting;
  {
    std::lock_guard lock(tx_mu_);
    waiting.swap(waiting_);
  }
  for (auto& [id, callbacks] : waiting) {
    v1::TxResult r;
    r.set_tx_id(id);
    r.set_reason(std::string(TransactionPool::kUndecided) +
                 "the node stopped before the transaction was committed; it may still commit");
    for (auto& cb : callbacks) cb(r);
  }
}

// ---- Threads ----------------------------------------------------------------------------

void PbftNode::post(std::function<void()> task) {
  {
    std::lock_guard lock(loop_mu_);
    tasks_.push_back(std::move(task));
  }
  loop_cv_.notify_one();
}

void PbftNode::protocol_loop() {
  auto next_tick = std::chrono::steady_clock::now();
  auto next_metrics = next_tick;
  while (running_) {
    std::deque<std::function<void()>> batch;
    {
      std::unique_lock lock(loop_mu_);
      loop_cv_.wait_until(lock, next_tick, [this] { return !tasks_.empty() || !running_; });
      batch.swap(tasks_);
    }
    if (!running_) break;
    for (auto& task : batch) task();
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_tick) {
      submit_backlog(now.time_since_epoch());
      replica_->on_tick();
      next_tick = now + kTick;
    }
    if (dag_) dag_->flush();
    if (now >= next_metrics) {
      publish_metrics();
      next_metrics = now + std::chrono::milliseconds(250);
    }
    end_turn();
  }
}

// New readings go out in bundles; readings whose bundle was lost (not ordered 4 view-change
// timeouts after they were submitted, when the replica stops re-sending it) go again.
void PbftNode::submit_backlog(std::chrono::nanoseconds now) {
  std::vector<v1::Reading> readings = backlog_.take_new(now);
  if (now >= next_resubmit_) {
    const auto period = 4 * settings_.replica.view_change_timeout;
    next_resubmit_ = now + std::chrono::duration_cast<std::chrono::nanoseconds>(period) / 4;
    auto again = backlog_.take_unordered(now, period);
    readings.insert(readings.end(), std::make_move_iterator(again.begin()),
                    std::make_move_iterator(again.end()));
  }
  for (std::size_t i = 0; i < readings.size(); i += kBundleReadings) {
    const std::size_t end = std::min(readings.size(), i + kBundleReadings);
    replica_->submit_readings(std::vector<v1::Reading>(
        std::make_move_iterator(readings.begin() + static_cast<std::ptrdiff_t>(i)),
        std::make_move_iterator(readings.begin() + static_cast<std::ptrdiff_t>(end))));
  }
}

// Votes are on disk before any message of the same turn leaves the node.
void PbftNode::end_turn() {
  if (outbox_.empty() && !journal_->has_unflushed()) return;
  if (Status s = journal_->flush(); !s.ok()) {
    env_.log().error("pbft: vote journal: " + s.message() + "; holding this turn's messages");
    outbox_.clear();  // never send a vote that is not durable
    return;
  }
  if (!network_) {  // not a member of the current set: nothing leaves
    outbox_.clear();
    return;
  }
  for (auto& [peer, env] : outbox_) send_out(peer, env);
  outbox_.clear();
}

void PbftNode::committer_loop() {
  for (;;) {
    std::pair<v1::Block, v1::StateDelta> item;
    {
      std::unique_lock lock(commit_mu_);
      commit_cv_.wait(lock, [this] { return committer_stop_ || !to_commit_.empty(); });
      if (to_commit_.empty()) return;  // stopping, and everything executed is stored
      item = std::move(to_commit_.front());
      to_commit_.pop_front();
    }
    v1::Block& block = item.first;
    Status s = store_->append(block, item.second);
    while (!s.ok()) {
      store_failing_ = true;
      note_stall();
      env_.log().error("pbft: storing block " + std::to_string(block.header().height()) +
                       " failed: " + s.message() + "; retrying in 1 s");
      std::this_thread::sleep_for(std::chrono::seconds(1));
      {
        std::lock_guard lock(commit_mu_);
        if (committer_stop_) return;
      }
      s = store_->append(block, item.second);
    }
    after_stored(block);
    if (settings_.follower) answer_followed_txs(block);
    const std::int64_t now_us = env_.clock().unix_micros();
    blocks_committed_.add();
    readings_committed_.add(static_cast<std::uint64_t>(block.readings_size()));
    txs_committed_.add(static_cast<std::uint64_t>(block.transactions_size()));
    height_.set(static_cast<double>(block.header().height()));
    last_block_latency_.set(static_cast<double>(now_us - block.header().timestamp_us()) / 1e6);
    v1::BlockCommitted committed;
    *committed.mutable_header() = block.header();
    committed.set_hash(block.hash());
    committed.set_committed_at_us(now_us);
    committed.set_oldest_sample_us(oldest_sample_us(block));
    *committed.mutable_qc() = block.qc();
    (void)env_.bus().publish_value(topics::kBlocks, std::move(committed));
    auto shared = std::make_shared<v1::Block>(std::move(block));
    post([this, shared] { replica_->on_durable(*shared); });
  }
}

// The store refuses blocks and kMaxUnstoredBlocks wait for it: the replica stops
// executing (store_room() is 0). Reported once per episode. (Reaching the bound while the
// store works, e.g. when catching up, only paces the replica.)
void PbftNode::note_stall() {
  if (!store_failing_ || unstored_blocks_.load() < kMaxUnstoredBlocks ||
      store_stalled_flag_.exchange(true)) {
    return;
  }
  store_stalled_.set(1);
  env_.log().warn("pbft: the store refuses blocks and " + std::to_string(kMaxUnstoredBlocks) +
                  " executed blocks wait for it: this validator stops executing (the others go "
                  "on) and catches up once the store takes blocks again");
}

void PbftNode::after_stored(const v1::Block& block) {
  backlog_.stored(block);
  --unstored_blocks_;
  if (store_failing_.exchange(false) && store_stalled_flag_.exchange(false)) {
    store_stalled_.set(0);
    env_.log().info("pbft: the store takes blocks again (" +
                    std::to_string(unstored_blocks_.load()) +
                    " wait for it): this validator executes and catches up again");
  }
  {
    std::lock_guard lock(pending_journal_mu_);
    if (pending_journal_live_ && !backlog_.holds_any_up_to(pending_journal_last_)) {
      pending_journal_live_ = false;
      if (Status s = pending_journal_.remove(); !s.ok()) {
        env_.log().error("pbft: " + s.message());
      } else {
        env_.log().info("pbft: the readings saved by the last stop are stored; " +
                        pending_journal_.path() + " removed");
      }
    }
  }
  if (backlog_full_flag_.load() && backlog_.size() < settings_.max_pending_readings &&
      backlog_full_flag_.exchange(false)) {
    backlog_full_.set(0);
    env_.log().info("pbft: the backlog has room again (" + std::to_string(backlog_.size()) +
                    " readings wait): the sources resume; " +
                    std::to_string(readings_held_back_.value()) +
                    " readings were held back so far");
  }
}

void PbftNode::on_frame(const std::shared_ptr<Links>& links, std::uint32_t peer,
                        std::string frame) {
  const ledger::ValidatorSet& set = links->set;
  if (peer >= set.size()) return on_follower_frame(links, peer, frame);
  auto rejected = [&](const std::string& why) {
    frames_rejected_.add();
    const std::int64_t now = env_.clock().steady_now().count();
    std::int64_t last = last_reject_log_ns_.load();
    if (now - last > 1'000'000'000 && last_reject_log_ns_.compare_exchange_strong(last, now)) {
      env_.log().warn("pbft: refused a message from " + set.validator(peer).name() + ": " + why);
    }
  };
  if (!links->replay_filter.first_copy(peer, frame)) {
    frames_replayed_.add();
    return;
  }
  auto env = std::make_shared<v1::Envelope>();
  // Transaction signatures are checked here, on the I/O threads, not on the protocol one.
  std::vector<std::string> dropped;
  auto msg =
      open_peer_frame(frame, set, peer, genesis_.allow_unsigned_anchors(), env.get(), &dropped);
  if (!msg.ok()) return rejected(msg.status().message());
  for (const std::string& why : dropped) rejected(why);
  if (settings_.follower && msg->has_refused()) {  // a transaction this node forwarded
    v1::TxResult result;
    result.set_tx_id(msg->refused().tx_id());
    result.set_reason(msg->refused().reason());
    {
      std::lock_guard lock(tx_mu_);
      forwarded_.erase(result.tx_id());
    }
    tx_done(result.tx_id(), result);
    return;
  }
  if (msg->has_fetch_blocks()) {
    serve_blocks(*links, peer, msg->fetch_blocks());
    return;
  }
  if (msg->has_dag_transactions() || msg->has_dag_fetch()) {
    if (!settings_.dag) return rejected("DAG gossip, but this validator's chain has no DAG");
    auto shared = std::make_shared<v1::ConsensusMessage>(std::move(*msg));
    post([this, peer, shared] { on_dag_message(peer, *shared); });
    return;
  }
  auto shared = std::make_shared<v1::ConsensusMessage>(std::move(*msg));
  post([this, env, shared, epoch = links->epoch] {
    // Numbered by another epoch's set than the replica's: only what carries its own proof
    // (a status's QC, certified blocks) is taken, while a joining validator catches up.
    if (epoch != replica_->epoch() && !shared->has_status() && !shared->has_blocks()) return;
    replica_->on_message(*env, *shared);
  });
}

void PbftNode::serve_blocks(Links& links, std::uint32_t peer, const v1::FetchBlocks& fetch) {
  if (fetch.from_height() == 0 || fetch.to_height() < fetch.from_height()) return;
  net::PeerNetwork* network = links.network.load();
  if (network == nullptr) return;
  if (links.fetch_budget.admit(peer, fetch.from_height(), fetch.to_height()) !=
      FetchBudget::Verdict::kServe) {
    fetches_refused_.add();
    return;
  }
  const std::uint64_t to = std::min(fetch.to_height(), fetch.from_height() + kMaxServedBlocks - 1);
  v1::ConsensusMessage msg;
  msg.set_sender(links.self);
  for (std::uint64_t h = fetch.from_height(); h <= to; ++h) {
    auto block = store_->block(h);
    if (!block.ok()) break;
    const bool more = links.fetch_budget.charge(peer, block->ByteSizeLong());
    *msg.mutable_blocks()->add_blocks() = std::move(*block);
    blocks_served_.add();
    if (!more) break;
  }
  if (msg.blocks().blocks_size() == 0) return;
  // Blocks carry their own proof (QC), but the envelope is signed like everything else.
  network->send(peer, seal(msg, identity_, validators_.chain_id()).SerializeAsString());
}

// ---- DAG side chain ---------------------------------------------------------------------

Status PbftNode::start_dag(const std::vector<v1::DeviceRecord>& devices) {
  DagLinkOptions o;
  o.params = dag::default_parameters();
  o.tip_seed = self_;
  DagLink::Peers peers;
  // A follower's DAG messages are signed as a follower's (envelope.hpp).
  peers.broadcast = [this](v1::ConsensusMessage msg) {
    msg.set_sender(settings_.follower ? kFollowerSender : self_);
    outbox_.emplace_back(-1, seal(msg, identity_, validators_.chain_id()));
  };
  peers.send = [this](std::uint32_t peer, v1::ConsensusMessage msg) {
    msg.set_sender(settings_.follower ? kFollowerSender : self_);
    outbox_.emplace_back(static_cast<std::int64_t>(peer),
                         seal(msg, identity_, validators_.chain_id()));
  };
  auto link = DagLink::create(std::move(o), validators_.chain_id(), devices, std::move(peers),
                              env_.log(), env_.clock());
  if (!link.ok()) return link.status();
  dag_ = std::move(link).value();
  replica_->attach_side_chain(dag_.get());
  env_.log().info("pbft: DAG side chain on, " + std::to_string(devices.size()) +
                  " registered devices may issue");
  return Status::Ok();
}

void PbftNode::on_dag_message(std::uint32_t peer, const v1::ConsensusMessage& msg) {
  if (!dag_) return;
  dag_->on_message(peer, msg);
  if (dag_->take_grown()) replica_->side_chain_grew();
}

template <typename T>
std::optional<T> PbftNode::ask(std::function<T()> task) {
  if (!running_) return std::nullopt;
  auto promise = std::make_shared<std::promise<T>>();
  auto answer = promise->get_future();
  post([promise, task = std::move(task)] { promise->set_value(task()); });
  if (answer.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return std::nullopt;
  return answer.get();
}

v1::DagSubmitResult PbftNode::submit(std::string bytes) {
  auto r = ask<v1::DagSubmitResult>([this, bytes = std::move(bytes)] {
    v1::DagSubmitResult out = dag_->submit(bytes);
    if (dag_->take_grown()) replica_->side_chain_grew();
    return out;
  });
  if (r) return std::move(*r);
  v1::DagSubmitResult out;
  out.set_outcome("refused");
  out.set_reason("unavailable");
  out.set_message("the validator is not running");
  return out;
}

v1::DagTxStatus PbftNode::status(std::string id) {
  auto r = ask<v1::DagTxStatus>([this, id] { return dag_->status(id); });
  if (r) return std::move(*r);
  v1::DagTxStatus out;
  out.set_id(id);
  out.set_state("unknown");
  return out;
}

v1::DagTips PbftNode::tips(std::uint32_t count) {
  auto r = ask<v1::DagTips>([this, count] { return dag_->tips(count); });
  return r ? std::move(*r) : v1::DagTips();
}

Result<v1::DagInclusion> PbftNode::inclusion(std::string id) {
  auto r = ask<Result<v1::DagInclusion>>([this, id] { return dag_->inclusion(id); });
  if (r) return std::move(*r);
  return Status::Unavailable("the validator is not running");
}

void PbftNode::publish_metrics() {
  if (dag_) {
    dag_held_.set(static_cast<double>(dag_->engine().held()));
    dag_admitted_.set(static_cast<double>(dag_->engine().admitted()));
    dag_milestone_.set(static_cast<double>(dag_->engine().latest_milestone()));
  }
  const ReplicaStats s = replica_->stats();
  view_.set(static_cast<double>(s.view));
  view_changes_.set(static_cast<double>(s.view_changes));
  stable_checkpoint_.set(static_cast<double>(s.stable_seq));
  transferred_blocks_.set(static_cast<double>(s.transferred_blocks));
  ordered_blocks_.set(static_cast<double>(s.ordered_blocks));
  divergences_.set(static_cast<double>(s.divergences));
  is_primary_.set(replica_->is_primary() && !s.in_view_change ? 1 : 0);
  epoch_.set(static_cast<double>(s.epoch));
  member_.set(s.member ? 1 : 0);
  std::size_t up = 0;
  std::size_t followers_up = 0;
  if (network_) {
    const auto peers = network_->stats();
    const std::size_t validators = links_ ? links_->set.size() : peers.size();
    for (std::size_t i = 0; i < peers.size(); ++i) {
      const bool live = peers[i].connected_in && peers[i].connected_out;
      (i < validators ? up : followers_up) += live ? 1 : 0;
    }
  }
  peers_connected_.set(static_cast<double>(up));
  followers_connected_.set(static_cast<double>(followers_up));
  follower_height_lag_.set(static_cast<double>(
      s.proven_peer_height > s.committed_height ? s.proven_peer_height - s.committed_height : 0));
  if (settings_.follower) expire_forwarded();
  pending_readings_.set(static_cast<double>(backlog_.size()));
  blocks_awaiting_store_.set(static_cast<double>(unstored_blocks_.load()));
  const net::HandshakeStats h = network_ ? network_->handshake_stats() : net::HandshakeStats{};
  handshakes_pending_.set(static_cast<double>(h.pending));
  handshakes_peak_pending_.set(static_cast<double>(h.peak_pending));
  auto catch_up = [](Counter& c, std::uint64_t total) {
    if (total > c.value()) c.add(total - c.value());
  };
  catch_up(handshakes_refused_, h.refused_total);
  catch_up(handshakes_refused_per_address_, h.refused_per_address);
  catch_up(handshakes_timed_out_, h.timed_out);
}

// ---- Inputs from the node ---------------------------------------------------------------------

// Back-pressure: this handler runs on pbft's bus delivery thread, so while it waits
// pbft's queue fills and the bus makes the publishers upstream wait, up to the sources.
// A stopping node is never held back (what is in flight must reach save_backlog()), nor
// a hot swap (the host waits for this handler before it holds pbft's messages).
void PbftNode::add_reading(const v1::Reading& reading) {
  const std::size_t limit = settings_.max_pending_readings;
  if (backlog_.size() >= limit && !stopping()) {
    readings_held_back_.add();
    if (!backlog_full_flag_.exchange(true)) {
      backlog_full_.set(1);
      env_.log().warn("pbft: the backlog is full (" + std::to_string(backlog_.size()) +
                      " readings wait, max_pending_readings " + std::to_string(limit) +
                      "): the sources are held back until blocks are stored again");
    }
    const std::uint64_t since = interruptions();
    backlog_.wait_for_room(limit, [&] { return stopping() || interruptions() != since; });
  }
  backlog_.add(reading);
}

// Puts the readings a previous stop saved into the backlog: they are proposed again; the
// primary skips any the network ordered meanwhile (by reading_key).
Status PbftNode::reload_journal() {
  auto loaded = pending_journal_.load();
  if (!loaded.ok()) return loaded.status().WithContext("pbft: journal");
  if (!loaded->has_value()) return Status::Ok();
  const auto& readings = (*loaded)->readings;
  for (const auto& r : readings) backlog_.add(r);
  std::lock_guard lock(pending_journal_mu_);
  pending_journal_last_ = backlog_.last_arrival();
  pending_journal_live_ = true;
  env_.log().info("pbft: " + std::to_string(readings.size()) +
                  " readings saved by the last stop are proposed again (from " +
                  pending_journal_.path() + ")");
  return Status::Ok();
}

Status PbftNode::save_backlog() {
  backlog_.wake();
  const std::vector<v1::Reading> left = backlog_.snapshot();
  std::lock_guard lock(pending_journal_mu_);
  if (left.empty()) {
    if (pending_journal_live_) {
      pending_journal_live_ = false;
      return pending_journal_.remove();
    }
    return Status::Ok();
  }
  const std::string n = std::to_string(left.size());
  std::uint64_t head = 0;
  if (store_) {
    if (auto h = store_->head(); h.ok() && *h) head = (*h)->header().height();
  }
  if (Status saved = pending_journal_.save({left, 0, head}); !saved.ok()) {
    return Status::Aborted("pbft: " + n +
                           " readings are lost: they are not in a block stored here and "
                           "saving them to " +
                           pending_journal_.path() + " failed (" + saved.message() + ")");
  }
  pending_journal_last_ = backlog_.last_arrival();
  pending_journal_live_ = true;
  env_.log().warn("pbft: " + n + " readings are not in a block stored here; saved to " +
                  pending_journal_.path() + ", proposed again at the next start: nothing is lost");
  return Status::Ok();
}

void PbftNode::submit(const v1::Transaction& tx, std::function<void(v1::TxResult)> done) {
  v1::TxResult refused;
  refused.set_tx_id(ledger::tx_id(tx));
  if (!running_) {
    refused.set_reason("the pbft plugin is not running");
    return done(refused);
  }
  Status s =
      ledger::check_tx_signature(validators_.chain_id(), tx, genesis_.allow_unsigned_anchors());
  if (!s.ok()) {
    refused.set_reason(s.message());
    return done(refused);
  }
  const std::string id = refused.tx_id();
  {
    std::lock_guard lock(tx_mu_);
    waiting_[id].push_back(std::move(done));
  }
  if (settings_.follower) {
    post([this, tx, id] { forward_tx(tx, id); });
    return;
  }
  post([this, tx, id] { replica_->submit(tx, id); });
}

// ---- ReplicaIo ---------------------------------------------------------------------------------

void PbftNode::send(std::uint32_t peer, const v1::Envelope& envelope) {
  outbox_.emplace_back(static_cast<std::int64_t>(peer), envelope);
}

void PbftNode::broadcast(const v1::Envelope& envelope) { outbox_.emplace_back(-1, envelope); }

void PbftNode::record(const v1::VoteRecord& record) { journal_->append(record); }

void PbftNode::commit_block(v1::Block block, v1::StateDelta delta) {
  backlog_.ordered(block);
  ++unstored_blocks_;
  note_stall();
  {
    std::lock_guard lock(commit_mu_);
    to_commit_.emplace_back(std::move(block), std::move(delta));
  }
  commit_cv_.notify_one();
}

void PbftNode::tx_done(const std::string& tx_id, const v1::TxResult& result) {
  std::vector<std::function<void(v1::TxResult)>> callbacks;
  {
    std::lock_guard lock(tx_mu_);
    auto it = waiting_.find(tx_id);
    if (it == waiting_.end()) return;
    callbacks = std::move(it->second);
    waiting_.erase(it);
  }
  for (auto& cb : callbacks) cb(result);
}

std::size_t PbftNode::store_room() const {
  const std::size_t waiting = unstored_blocks_.load();
  return waiting < kMaxUnstoredBlocks ? kMaxUnstoredBlocks - waiting : 0;
}

void PbftNode::compact_journal(const std::vector<v1::VoteRecord>& keep) {
  if (Status s = journal_->flush(); !s.ok()) {
    env_.log().error("pbft: vote journal: " + s.message());
    return;
  }
  if (Status s = journal_->rewrite(keep); !s.ok()) {
    env_.log().error("pbft: compacting the vote journal: " + s.message());
  }
}

}  // namespace itc::pbft
