// SideChain: the DAG side chain as the Replica sees it. Every block may carry a milestone
// (a list of DAG tips) and the root of what its cone makes final; the replica asks the side
// chain for the tips to name when it proposes, to work a milestone out (its micro-transfers
// applied to the block's state draft) when it proposes or checks a block, and tells it when
// a block is executed. PBFT stays ignorant of the tangle; dag_link.hpp implements it.
// Milestones of blocks ordered above the last executed one (`earlier`, oldest first) count
// as final when a later one is worked out: PBFT pipelines blocks.
// Thread safety: the Replica calls it from its (protocol) thread only.
#pragma once

#include <string>
#include <vector>

#include "itc/chain/state.hpp"
#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::pbft {

using MilestoneList = std::vector<std::vector<std::string>>;

class SideChain {
 public:
  virtual ~SideChain() = default;
  // The tips the next milestone should name; empty when nothing new waits to be final.
  virtual std::vector<std::string> propose(const MilestoneList& earlier) = 0;
  // Works out milestone `tips` and applies its micro-transfers to `draft`; returns its DAG
  // root. NotFound when a tip (or a parent below it) is not held yet: the side chain asks
  // its peers for it, and the replica tries again when more arrives.
  virtual Result<std::string> plan(const std::vector<std::string>& tips,
                                   const MilestoneList& earlier,
                                   ledger::LedgerState::BlockDraft& draft) = 0;
  // `block`, with its milestone worked out as plan() did, is executed (in height order).
  virtual void executed(const v1::Block& block) = 0;
};

}  // namespace itc::pbft
