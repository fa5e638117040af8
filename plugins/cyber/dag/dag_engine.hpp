// DagEngine: what every node runs for the DAG side chain — admits device transactions
// (Admission, then parents: missing ones wait in the SolidificationBuffer, too old ones
// are refused), holds them in the Tangle, selects tips to approve, and makes cones final
// when the main chain names a milestone (white-flag order, micro-transfers applied to the
// DeviceLedger, inclusion and state roots, inclusion proofs).
//
// The node wires it: transactions from devices, gateways and peers go to submit();
// missing() is what to fetch from peers; a backup calls check_milestone() before voting
// for a block carrying a milestone and apply_milestone() once the block commits.
//
// Thread safety: none inside. One thread at a time (the node's executor) calls every
// method; the engine keeps references to `directory`, which must outlive it.
// Memory: bounded by the parameters — solidification_capacity waiting, max_rate_issuers
// rate buckets, max_tips tips, milestones_retained milestones of proofs; held nodes are
// the pending ones plus those final in the last below_max_depth milestones; older final
// ids keep a FinalRecord each.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admission.hpp"
#include "device_ledger.hpp"
#include "milestone.hpp"
#include "solidification.hpp"
#include "tangle.hpp"
#include "tip_selection.hpp"

namespace itc::dag {

struct DagOptions {
  v1::DagParameters params;                       // checked by check_parameters
  std::vector<std::string> entry_points;          // ids final at milestone 0 (>= 2)
  std::map<std::string, std::uint64_t> balances;  // genesis device balances
  std::uint64_t tip_seed = 0;                     // the tip selector's RNG seed
};

struct SubmitResult {
  enum class Outcome { kAdmitted, kWaiting, kRefused };
  Outcome outcome = Outcome::kRefused;
  std::string id;                        // when decoded
  Refusal reason = Refusal::kMalformed;  // kRefused
  std::string message;                   // kRefused: why
  std::vector<std::string> missing;      // kWaiting: parents not held
  std::vector<std::string> attached;     // kAdmitted: this id and any it made solid
};

struct TxStatus {
  enum class State { kUnknown, kWaiting, kPending, kFinal, kConflicting };
  State state = State::kUnknown;
  std::uint64_t weight = 0;     // kPending: cumulative weight (capped at kWeightCap)
  std::uint32_t milestone = 0;  // kFinal, kConflicting
  std::string reason;           // kConflicting
};

class DagEngine {
 public:
  static constexpr std::uint64_t kWeightCap = 100'000;

  // InvalidArgument if the parameters fail check_parameters or fewer than 2 entry points.
  static Result<std::unique_ptr<DagEngine>> create(DagOptions options,
                                                   const IssuerDirectory& directory);
  DagEngine(const DagEngine&) = delete;  // its parts point into each other
  DagEngine& operator=(const DagEngine&) = delete;

  // Bytes from the wire (decode_transaction, then admission), at local time `now_us`.
  // kRequested (admission.hpp): bytes this node asked its peers for; no issue window, rate
  // or parent depth.
  SubmitResult submit(std::string_view bytes, std::int64_t now_us, Arrival arrival = Arrival::kNew);
  // A message already parsed (from a gateway in the same process): the same checks.
  SubmitResult submit(v1::DeviceTransaction tx, std::int64_t now_us);

  std::vector<std::string> select_tips(int count, std::int64_t now_us);
  std::vector<std::string> missing() const { return waiting_.missing(); }

  // OK if every tip of a milestone is held; NotFound listing the hex ids missing (the
  // waiting ones' missing parents included) otherwise.
  Status check_milestone(const std::vector<std::string>& tips) const;
  // Milestone `index` (latest_milestone() + 1) naming `tips`, its transfers applied to the
  // engine's DeviceLedger: on any error nothing applies.
  Result<MilestoneOutcome> apply_milestone(std::uint32_t index,
                                           const std::vector<std::string>& tips);

  // For a node, whose device accounts live in the main chain's state. plan_milestone works
  // out milestone `tips` as if the milestones `earlier` (tip lists ordered on the main chain
  // but not yet finalised here, oldest first) were final, applying its transfers to
  // `ledger`; it changes nothing in the engine. NotFound as check_milestone.
  Result<MilestonePlan> plan_milestone(const std::vector<std::string>& tips,
                                       const std::vector<std::vector<std::string>>& earlier,
                                       TransferLedger& ledger);
  // Makes milestone `index` (latest_milestone() + 1) final as `plan` (planned with every
  // earlier milestone finalised) says. FailedPrecondition, changing nothing, if the cone
  // it finds now is not the plan's.
  Status finalize_milestone(std::uint32_t index, const std::vector<std::string>& tips,
                            const MilestonePlan& plan);
  // What a milestone should name to confirm what is held: pending transactions nothing
  // approves yet (Tangle::frontier), at most `max`, youngest first, leaving out those in the
  // cones of `earlier` (as plan_milestone). O(pending + cones of earlier).
  std::vector<std::string> milestone_tips(std::size_t max,
                                          const std::vector<std::vector<std::string>>& earlier);
  // The ids to fetch before `tips` can be worked out: tips not held, and the parents that
  // the transactions waiting here miss.
  std::vector<std::string> missing_for(const std::vector<std::string>& tips) const;
  // The canonical bytes of a held transaction (to pass on to a peer), or nullopt.
  std::optional<std::string> transaction_bytes(std::string_view id) const;

  TxStatus status(std::string_view id) const;
  // NotFound if `id` is not final (or unknown); FailedPrecondition "pruned" if its
  // milestone is no longer retained.
  Result<InclusionProof> proof(std::string_view id) const;
  // The roots of a retained milestone, or NotFound.
  Result<MilestoneOutcome> milestone(std::uint32_t index) const;

  std::uint32_t latest_milestone() const { return latest_; }
  std::uint64_t refusals(Refusal r) const { return admission_.refusals(r); }
  std::uint64_t admitted() const { return admitted_; }
  std::uint64_t balance(std::string_view account) const { return ledger_.balance(account); }
  std::size_t held() const { return tangle_.size(); }
  std::size_t waiting() const { return waiting_.size(); }
  std::size_t pending() const { return tangle_.pending(); }

 private:
  struct Retained {
    MilestoneOutcome roots;  // `included` cleared: the leaf hashes below serve proofs
    std::vector<std::string> leaf_hashes;
  };
  DagEngine(DagOptions options, const IssuerDirectory& directory);
  SubmitResult refused(Refused r, const std::string& id);
  SubmitResult admit(DecodedTransaction tx, std::int64_t now_us, Arrival arrival);
  // Nullopt if every parent is held and none is below max depth; else the refusal, or
  // the missing parents in *missing.
  std::optional<Refused> check_parents(const DecodedTransaction& tx,
                                       std::vector<std::string>* missing, bool check_depth);
  void attach_and_solidify(DecodedTransaction tx, std::int64_t now_us,
                           std::vector<std::string>* attached);

  v1::DagParameters params_;
  Admission admission_;
  Tangle tangle_;
  SolidificationBuffer waiting_;
  TipSelector tips_;
  DeviceLedger ledger_;
  std::map<std::uint32_t, Retained> retained_;
  std::uint32_t latest_ = 0;
  std::uint64_t admitted_ = 0;
};

}  // namespace itc::dag
