// DagLink: a validator's DAG side chain (plugins/cyber/dag) wired to PBFT. A DagEngine
// takes device transactions submitted on this node and those its peers pass on; it names
// the tips of each block's milestone and works milestones out for the Replica (SideChain),
// and asks peers for what it misses.
//  - Issuers: the devices the main chain registers (genesis, then RegisterDevice
//    transactions of executed blocks), of the device class their profile names. Gateways
//    are not registered on the chain yet.
//  - Device accounts are main-chain accounts: a milestone's micro-transfers move balances
//    in the block's state draft, so the header's state_root covers them; its dag_root is
//    the milestone's inclusion root.
//  - Milestone index: the number of blocks with a milestone so far (every validator
//    executes the same blocks). The DAG lives in memory: a validator restarted, or one
//    catching up from further back than its peers hold the DAG, cannot check milestones
//    whose cones it lacks (issue 12, storage: not built yet).
//  - Gossip: validators are fully connected; a transaction submitted here is pushed to
//    every peer once it is attached (at once, or when its parents arrive), in batches of
//    up to kPushBatch at most kPushDelay late (one signed envelope per batch); one waiting for
//    parents, or a milestone naming tips not held, makes this node ask its peers for the
//    missing ids (each id again only after kRefetchAfter). What it asked for is admitted
//    as dag::Arrival::kRequested (valid is enough: no window, rate or depth), so every
//    validator can hold what a milestone names whenever it arrives.
// Thread safety: none. PbftNode calls it from its protocol thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dag_engine.hpp"
#include "issuer_directory.hpp"
#include "itc/host_env.hpp"
#include "itc/v1/consensus.pb.h"
#include "itc/v1/dag.pb.h"
#include "side_chain.hpp"

namespace itc::pbft {

struct DagLinkOptions {
  v1::DagParameters params;
  std::uint64_t tip_seed = 0;
  std::size_t milestone_max_tips = 64;  // what a header may carry (the light client's limit)
};

class DagLink final : public SideChain {
 public:
  static constexpr std::size_t kMaxFetchIds = 256;         // per DagFetch
  static constexpr std::size_t kMaxServedBytes = 1 << 20;  // per DagTransactions message
  static constexpr std::chrono::milliseconds kRefetchAfter{500};
  // Transactions submitted here are pushed in batches: at most this many, or this late.
  static constexpr std::size_t kPushBatch = 128;
  static constexpr std::chrono::milliseconds kPushDelay{2};

  struct Peers {
    std::function<void(v1::ConsensusMessage)> broadcast;
    std::function<void(std::uint32_t peer, v1::ConsensusMessage)> send;
  };

  // Entry points (the first parents) follow from the chain id; `devices` are the chain's
  // registered devices.
  static Result<std::unique_ptr<DagLink>> create(DagLinkOptions options,
                                                 const std::string& chain_id,
                                                 const std::vector<v1::DeviceRecord>& devices,
                                                 Peers peers, Logger& log, const Clock& clock);

  // A transaction submitted on this node.
  v1::DagSubmitResult submit(const std::string& bytes);
  // A peer's DagTransactions or DagFetch.
  void on_message(std::uint32_t peer, const v1::ConsensusMessage& msg);
  // True (once) if transactions were attached since the last call: a pre-prepare waiting
  // for them may go on.
  bool take_grown();
  // Sends the batch of transactions to push if it is full or kPushDelay old (each protocol
  // turn).
  void flush();

  v1::DagTxStatus status(const std::string& id) const;
  v1::DagTips tips(std::uint32_t count);
  // DeviceTransactions::inclusion.
  Result<v1::DagInclusion> inclusion(const std::string& id) const;
  const dag::DagEngine& engine() const { return *engine_; }

  // SideChain
  std::vector<std::string> propose(const MilestoneList& earlier) override;
  Result<std::string> plan(const std::vector<std::string>& tips, const MilestoneList& earlier,
                           ledger::LedgerState::BlockDraft& draft) override;
  void executed(const v1::Block& block) override;

 private:
  DagLink(DagLinkOptions options, Peers peers, Logger& log, const Clock& clock);
  dag::SubmitResult admit(std::string_view bytes, std::int64_t from_peer, dag::Arrival arrival);
  // Pushes the transactions submitted here that `attached` made part of the tangle.
  void push_local(const std::vector<std::string>& attached);
  void send_outgoing();
  bool was_asked(std::string_view bytes) const;
  void fetch(std::vector<std::string> ids, std::int64_t from_peer);

  const DagLinkOptions opt_;
  dag::InMemoryIssuerDirectory directory_;
  std::unique_ptr<dag::DagEngine> engine_;
  const Peers peers_;
  Logger& log_;
  const Clock& clock_;
  bool grown_ = false;

  // Milestones worked out, not yet executed, by DAG root (the oldest dropped beyond 256).
  std::map<std::string, dag::MilestonePlan> plans_;
  std::deque<std::string> plan_order_;
  // Main-chain height of each retained milestone index.
  std::map<std::uint32_t, std::uint64_t> milestone_heights_;
  // Ids asked of peers, and when (steady clock).
  std::unordered_map<std::string, std::chrono::nanoseconds> asked_;
  // Submitted here, waiting for parents: pushed to peers once attached.
  std::unordered_set<std::string> local_waiting_;
  v1::ConsensusMessage outgoing_;  // the next push (DagTransactions)
  std::chrono::nanoseconds outgoing_since_{0};
  std::size_t outgoing_bytes_ = 0;
};

}  // namespace itc::pbft
