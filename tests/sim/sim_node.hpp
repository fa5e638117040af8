// SimNode: one replica slot of the simulation, wired like PbftNode wires a Replica
// (pbft_node.cpp) but on simulated time: a turn delivers one message (or a tick, or a
// client request) to the real Replica, then makes the turn's votes durable in the real
// VoteJournal (a file in the scenario's directory) and only then sends the turn's
// messages. Executed blocks wait in a store queue and reach the store (SimStore) after a
// simulated write time, then Replica::on_durable() runs. A crash loses the Replica, the
// queue (blocks not yet stored: writes not yet fsynced) and, when torn, the vote-journal
// write of the turn in which it died (with none of that turn's messages sent); a restart
// rebuilds the state from the store and the votes from the journal, as PbftNode::start.
// Thread safety: none (the simulator's thread).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "checker.hpp"
#include "event_queue.hpp"
#include "network.hpp"
#include "replica.hpp"
#include "sim_store.hpp"
#include "vote_journal.hpp"

namespace itc::sim {

// The replica's log lines, prefixed with its slot.
class SlotLog final : public Logger {
 public:
  SlotLog(std::uint32_t slot, Logger& out)
      : prefix_("slot " + std::to_string(slot) + " "), out_(out) {}
  void log(LogLevel level, std::string_view m) override {
    out_.log(level, prefix_ + std::string(m));
  }

 private:
  const std::string prefix_;
  Logger& out_;
};

class SimNode final : public pbft::ReplicaIo {
 public:
  SimNode(std::uint32_t slot, const ChainSetup& chain, const FaultPlan& plan, std::string dir,
          EventQueue& events, Network& network, Checker& checker, std::mt19937_64& rng,
          Logger& log);
  ~SimNode() override;

  void start();  // also a restart
  // With `torn`, the node dies in its next turn that writes the journal, while writing it
  // (or, if no turn did, at the next start()).
  void crash(bool torn);
  bool alive() const { return replica_ != nullptr; }

  void deliver(std::uint32_t from_validator, const std::string& frame);
  void submit(v1::Transaction tx);
  void set_skew(std::int64_t offset_us, double drift) { clock_.set_skew(offset_us, drift); }

  const SimStore& store() const { return store_; }
  std::uint64_t height() const { return store_.height(); }
  pbft::ReplicaStats stats() const { return replica_ ? replica_->stats() : pbft::ReplicaStats{}; }

  // ReplicaIo
  void send(std::uint32_t peer, const v1::Envelope& envelope) override;
  void broadcast(const v1::Envelope& envelope) override;
  void record(const v1::VoteRecord& record) override;
  void commit_block(v1::Block block, v1::StateDelta delta) override;
  void tx_done(const std::string& tx_id, const v1::TxResult& result) override;
  void compact_journal(const std::vector<v1::VoteRecord>& keep) override;
  std::size_t store_room() const override;

 private:
  void tick();
  void end_turn();
  void store_next();
  void serve_blocks(std::uint32_t peer, const v1::FetchBlocks& fetch);
  void die();

  const std::uint32_t slot_;
  const std::uint32_t validator_;
  const ChainSetup& chain_;
  const std::string journal_path_;
  EventQueue& events_;
  Network& network_;
  Checker& checker_;
  std::mt19937_64& rng_;
  SlotLog log_;
  SkewedClock clock_;
  SimStore store_;
  std::unique_ptr<pbft::VoteJournal> journal_;
  std::unique_ptr<pbft::Replica> replica_;
  std::uint64_t incarnation_ = 0;  // events of an earlier life find a newer number and stop
  bool tear_next_turn_ = false;
  std::vector<std::pair<std::optional<std::uint32_t>, v1::Envelope>> outbox_;
  std::deque<std::pair<v1::Block, v1::StateDelta>> unstored_;
  bool store_busy_ = false;
  std::vector<std::string> hashes_at_crash_;
};

}  // namespace itc::sim
