#include "sim_node.hpp"

#include <unistd.h>

#include <filesystem>

#include "envelope.hpp"
#include "itc/chain/state.hpp"
#include "itc/ledger/transactions.hpp"

namespace itc::sim {
namespace {

constexpr auto kTick = std::chrono::milliseconds(5);
constexpr std::size_t kMaxUnstoredBlocks = 128;  // as PbftNode
constexpr std::uint64_t kMaxServedBlocks = 64;   // as PbftNode

}  // namespace

SimNode::SimNode(std::uint32_t slot, const ChainSetup& chain, const FaultPlan& plan,
                 std::string dir, EventQueue& events, Network& network, Checker& checker,
                 std::mt19937_64& rng, Logger& log)
    : slot_(slot),
      validator_(plan.validator_of(slot)),
      chain_(chain),
      journal_path_(dir + "/slot-" + std::to_string(slot) + ".journal"),
      events_(events),
      network_(network),
      checker_(checker),
      rng_(rng),
      log_(slot, log),
      clock_(events) {}

SimNode::~SimNode() = default;

void SimNode::start() {
  if (alive() && tear_next_turn_) die();  // no turn wrote the journal before the restart
  if (alive()) return;
  ++incarnation_;
  auto state = std::make_unique<ledger::LedgerState>(chain_.genesis);
  const auto head = store_.head();
  if (head) {
    Status s =
        state->restore(store_.entries(), head->header().height(), head->header().state_root());
    if (!s.ok()) return checker_.fail("durability", "restoring the store's state: " + s.message());
  }
  std::vector<v1::VoteRecord> records;
  auto journal = pbft::VoteJournal::open(journal_path_, /*sync=*/false, &records);
  if (!journal.ok()) return checker_.fail("durability", journal.status().message());
  journal_ = std::move(*journal);
  pbft::ReplicaOptions o;
  o.self = validator_;
  o.node_name = chain_.validators.validator(validator_).name();
  o.batch_delay = std::chrono::milliseconds(2);
  o.batch_max_requests = 64;
  o.pipeline_window = 4;
  o.checkpoint_interval = 8;
  o.view_change_timeout = std::chrono::milliseconds(300);
  o.request_timeout = std::chrono::seconds(5);
  replica_ =
      std::make_unique<pbft::Replica>(o, chain_.validators, chain_.genesis, chain_.keys[validator_],
                                      std::move(state), head, *this, log_, clock_);
  replica_->restore_votes(records);
  checker_.restarted(slot_, hashes_at_crash_, store_.hashes());
  const auto life = incarnation_;
  events_.after(SimTime(static_cast<std::int64_t>(rng_() % kTick.count())), [this, life] {
    if (life == incarnation_) tick();
  });
}

void SimNode::die() {
  replica_.reset();
  journal_.reset();
  outbox_.clear();
  unstored_.clear();  // executed, never appended: lost with the process
  store_busy_ = false;
  tear_next_turn_ = false;
  hashes_at_crash_ = store_.hashes();
  ++incarnation_;
}

void SimNode::crash(bool torn) {
  if (!alive()) return;
  if (torn) {
    tear_next_turn_ = true;  // dies at the end of its next turn that writes the journal
  } else {
    die();
  }
}

void SimNode::tick() {
  replica_->on_tick();
  end_turn();
  if (!alive()) return;
  const auto life = incarnation_;
  events_.after(kTick, [this, life] {
    if (life == incarnation_) tick();
  });
}

// As PbftNode::on_frame: parse, open (signatures), check the transactions of a
// pre-prepare or forward, serve fetches here; the rest goes to the replica.
void SimNode::deliver(std::uint32_t from_validator, const std::string& frame) {
  if (!alive()) return;
  v1::Envelope env;
  if (!env.ParseFromString(frame)) return;
  auto msg = pbft::open(env, chain_.validators, from_validator);
  if (!msg.ok()) return;
  const bool unsigned_ok = chain_.genesis.allow_unsigned_anchors();
  if (msg->has_pre_prepare()) {
    for (const auto& tx : msg->pre_prepare().block().transactions()) {
      if (!ledger::check_tx_signature(chain_.validators.chain_id(), tx, unsigned_ok).ok()) return;
    }
  } else if (msg->has_forward()) {
    auto* requests = msg->mutable_forward()->mutable_requests();
    for (int i = requests->size() - 1; i >= 0; --i) {
      if (!(*requests)[i].has_tx()) continue;
      if (!ledger::check_tx_signature(chain_.validators.chain_id(), (*requests)[i].tx(),
                                      unsigned_ok)
               .ok()) {
        requests->DeleteSubrange(i, 1);
      }
    }
  } else if (msg->has_fetch_blocks()) {
    return serve_blocks(from_validator, msg->fetch_blocks());
  }
  replica_->on_message(env, *msg);
  end_turn();
}

void SimNode::serve_blocks(std::uint32_t peer, const v1::FetchBlocks& fetch) {
  if (fetch.from_height() == 0 || fetch.to_height() < fetch.from_height()) return;
  const std::uint64_t to = std::min(fetch.to_height(), fetch.from_height() + kMaxServedBlocks - 1);
  v1::ConsensusMessage msg;
  msg.set_sender(validator_);
  for (std::uint64_t h = fetch.from_height(); h <= to && h <= store_.height(); ++h) {
    *msg.mutable_blocks()->add_blocks() = store_.blocks()[h - 1];
  }
  if (msg.blocks().blocks_size() == 0) return;
  network_.send(
      slot_, peer,
      pbft::seal(msg, chain_.keys[validator_], chain_.validators.chain_id()).SerializeAsString());
}

void SimNode::submit(v1::Transaction tx) {
  if (!alive()) return;
  std::string id = ledger::tx_id(tx);
  replica_->submit(std::move(tx), std::move(id));
  end_turn();
}

// Votes are durable before any message of the same turn leaves (PbftNode::end_turn).
void SimNode::end_turn() {
  if (!alive()) return;
  if (tear_next_turn_ && journal_->has_unflushed()) {
    // Dies while writing: part of this turn's journal bytes reach the file, no message
    // leaves. A torn record is cut off by the next open(); whole ones stay (never sent).
    const auto before = journal_->size_bytes();
    (void)journal_->flush();
    const auto after = journal_->size_bytes();
    const auto keep = before + rng_() % (after - before);
    std::filesystem::resize_file(journal_path_, keep);
    return die();
  }
  if (Status s = journal_->flush(); !s.ok()) {
    outbox_.clear();
    return checker_.fail("durability", "vote journal: " + s.message());
  }
  for (auto& [peer, env] : outbox_) {
    checker_.sent(slot_, env);
    network_.send(slot_, peer, env.SerializeAsString());
  }
  outbox_.clear();
}

void SimNode::send(std::uint32_t peer, const v1::Envelope& envelope) {
  if (peer != validator_) outbox_.emplace_back(peer, envelope);
}
void SimNode::broadcast(const v1::Envelope& envelope) {
  outbox_.emplace_back(std::nullopt, envelope);
}
void SimNode::record(const v1::VoteRecord& record) { journal_->append(record); }

void SimNode::commit_block(v1::Block block, v1::StateDelta delta) {
  checker_.executed(slot_, block);
  unstored_.emplace_back(std::move(block), std::move(delta));
  if (!store_busy_) store_next();
}

// The store writes one block at a time, each taking 0.2 to 5 ms.
void SimNode::store_next() {
  if (unstored_.empty()) {
    store_busy_ = false;
    return;
  }
  store_busy_ = true;
  const auto life = incarnation_;
  events_.after(std::chrono::microseconds(200 + rng_() % 4800), [this, life] {
    if (life != incarnation_ || unstored_.empty()) return;
    auto [block, delta] = std::move(unstored_.front());
    unstored_.pop_front();
    if (Status s = store_.append(block, delta); !s.ok()) {
      return checker_.fail("durability", "slot " + std::to_string(slot_) + ": " + s.message());
    }
    replica_->on_durable(block);
    end_turn();
    if (life == incarnation_) store_next();
  });
}

void SimNode::tx_done(const std::string& tx_id, const v1::TxResult& result) {
  checker_.acknowledged(slot_, result);
}

void SimNode::compact_journal(const std::vector<v1::VoteRecord>& keep) {
  if (Status s = journal_->flush(); !s.ok()) return checker_.fail("durability", s.message());
  if (Status s = journal_->rewrite(keep); !s.ok()) return checker_.fail("durability", s.message());
}

std::size_t SimNode::store_room() const {
  return unstored_.size() < kMaxUnstoredBlocks ? kMaxUnstoredBlocks - unstored_.size() : 0;
}

}  // namespace itc::sim
