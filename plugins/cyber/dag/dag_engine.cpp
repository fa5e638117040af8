#include "dag_engine.hpp"

#include <algorithm>
#include <unordered_set>

#include "itc/canonical_bytes.hpp"
#include "itc/crypto.hpp"
#include "itc/merkle.hpp"
#include "parameters.hpp"

namespace itc::dag {
namespace {
constexpr std::size_t kListedIds = 8;  // ids named in an error message
}  // namespace

Result<std::unique_ptr<DagEngine>> DagEngine::create(DagOptions options,
                                                     const IssuerDirectory& directory) {
  ITC_RETURN_IF_ERROR(check_parameters(options.params));
  if (options.entry_points.size() < kMinParents)
    return Status::InvalidArgument("entry_points: at least " + std::to_string(kMinParents) +
                                   " needed, got " + std::to_string(options.entry_points.size()));
  return std::unique_ptr<DagEngine>(new DagEngine(std::move(options), directory));
}

DagEngine::DagEngine(DagOptions options, const IssuerDirectory& directory)
    : params_(std::move(options.params)),
      admission_(params_, directory),
      tangle_(options.entry_points),
      waiting_(params_.solidification_capacity()),
      tips_(params_, options.tip_seed),
      ledger_(std::move(options.balances)) {}

SubmitResult DagEngine::refused(Refused r, const std::string& id) {
  SubmitResult out;
  out.outcome = SubmitResult::Outcome::kRefused;
  out.id = id;
  out.reason = r.reason;
  out.message = std::move(r.message);
  return out;
}

SubmitResult DagEngine::submit(std::string_view bytes, std::int64_t now_us, Arrival arrival) {
  auto decoded = decode_transaction(bytes);
  if (!decoded.ok())
    return refused(admission_.refuse(Refusal::kMalformed, decoded.status().message()), {});
  return admit(std::move(decoded).value(), now_us, arrival);
}

SubmitResult DagEngine::submit(v1::DeviceTransaction tx, std::int64_t now_us) {
  const std::size_t size = tx.ByteSizeLong();
  if (size > kMaxTransactionBytes)
    return refused(admission_.refuse(Refusal::kMalformed, "transaction: " + std::to_string(size) +
                                                              " bytes, at most " +
                                                              std::to_string(kMaxTransactionBytes)),
                   {});
  auto checked = check_transaction(std::move(tx));
  if (!checked.ok())
    return refused(admission_.refuse(Refusal::kMalformed, checked.status().message()), {});
  return admit(std::move(checked).value(), now_us, Arrival::kNew);
}

std::optional<Refused> DagEngine::check_parents(const DecodedTransaction& tx,
                                                std::vector<std::string>* missing,
                                                bool check_depth) {
  const auto& fresh = tangle_.recent_final();
  for (const auto& pid : tx.tx.parents()) {
    std::uint32_t oldest = 0;
    if (const TangleNode* p = tangle_.find(pid)) {
      oldest = p->state == TxState::kPending ? p->oldest_root : p->milestone;
    } else if (const FinalRecord* f = tangle_.final_record(pid)) {
      oldest = f->milestone;
    } else {
      missing->push_back(pid);
      continue;
    }
    // The latest final transactions stay approvable (the fallback parents when there are
    // no tips), however many empty milestones followed.
    if (!check_depth || std::find(fresh.begin(), fresh.end(), pid) != fresh.end()) continue;
    if (latest_ - oldest > params_.below_max_depth())
      return admission_.refuse(Refusal::kBelowMaxDepth,
                               "parent " + crypto::to_hex(pid) +
                                   " has its oldest root at milestone " + std::to_string(oldest) +
                                   ", more than " + std::to_string(params_.below_max_depth()) +
                                   " below the latest milestone " + std::to_string(latest_));
  }
  return std::nullopt;
}

void DagEngine::attach_and_solidify(DecodedTransaction tx, std::int64_t now_us,
                                    std::vector<std::string>* attached) {
  std::vector<DecodedTransaction> ready;
  ready.push_back(std::move(tx));
  while (!ready.empty()) {
    DecodedTransaction next = std::move(ready.back());
    ready.pop_back();
    std::vector<std::string> missing;
    // Depth was checked when it arrived (if it was new): one that waited is attached even
    // if a parent aged meanwhile, so every node can hold what a milestone names.
    if (check_parents(next, &missing, false) || !missing.empty()) continue;
    const std::string id = next.id;
    tangle_.attach(std::move(next), now_us, params_.tip_max_approvers(), params_.max_tips());
    ++admitted_;
    attached->push_back(id);
    for (auto& solid : waiting_.arrived(id)) ready.push_back(std::move(solid));
  }
}

SubmitResult DagEngine::admit(DecodedTransaction tx, std::int64_t now_us, Arrival arrival) {
  waiting_.expire(now_us - params_.issue_window_past_us());
  const std::string id = tx.id;
  if (tangle_.contains(id) || waiting_.contains(id))
    return refused(admission_.refuse(Refusal::kDuplicate,
                                     "transaction " + crypto::to_hex(id) + " is already held"),
                   id);
  if (auto r = admission_.check(tx, now_us, arrival)) return refused(std::move(*r), id);
  SubmitResult out;
  out.id = id;
  if (auto r = check_parents(tx, &out.missing, arrival == Arrival::kNew))
    return refused(std::move(*r), id);
  if (!out.missing.empty()) {
    if (waiting_.full())
      return refused(
          admission_.refuse(Refusal::kSolidificationFull,
                            std::to_string(out.missing.size()) + " parents missing and " +
                                std::to_string(waiting_.size()) +
                                " transactions already wait for theirs"),
          id);
    waiting_.park(std::move(tx), out.missing);
    out.outcome = SubmitResult::Outcome::kWaiting;
    return out;
  }
  attach_and_solidify(std::move(tx), now_us, &out.attached);
  out.outcome = SubmitResult::Outcome::kAdmitted;
  return out;
}

std::vector<std::string> DagEngine::select_tips(int count, std::int64_t now_us) {
  return tips_.select(tangle_, count, latest_, now_us);
}

Status DagEngine::check_milestone(const std::vector<std::string>& tips) const {
  std::vector<std::string> unknown;
  bool waits = false;
  for (const auto& id : tips) {
    if (tangle_.contains(id)) continue;
    waits = waits || waiting_.contains(id);
    if (!waiting_.contains(id)) unknown.push_back(id);
  }
  if (unknown.empty() && !waits) return Status::Ok();
  if (waits)
    for (auto& m : waiting_.missing()) unknown.push_back(std::move(m));
  std::string msg =
      "milestone names transactions not held; fetch " + std::to_string(unknown.size()) + ":";
  for (std::size_t i = 0; i < unknown.size() && i < kListedIds; ++i)
    msg += " " + crypto::to_hex(unknown[i]);
  if (unknown.size() > kListedIds) msg += " …";
  return Status::NotFound(msg);
}

Result<MilestoneOutcome> DagEngine::apply_milestone(std::uint32_t index,
                                                    const std::vector<std::string>& tips) {
  if (index != latest_ + 1)
    return Status::FailedPrecondition("milestone " + std::to_string(index) + ": expected " +
                                      std::to_string(latest_ + 1));
  auto planned = plan_milestone(tips, {}, ledger_);
  if (!planned.ok()) return planned.status();
  MilestonePlan plan = std::move(planned).value();
  ITC_RETURN_IF_ERROR(finalize_milestone(index, tips, plan));
  MilestoneOutcome outcome;
  outcome.index = index;
  outcome.included = std::move(plan.included);
  outcome.conflicting = std::move(plan.conflicting);
  outcome.inclusion_root = std::move(plan.inclusion_root);
  outcome.state_root = ledger_.state_root();
  retained_[index].roots.state_root = outcome.state_root;
  return outcome;
}

Result<MilestonePlan> DagEngine::plan_milestone(
    const std::vector<std::string>& tips, const std::vector<std::vector<std::string>>& earlier,
    TransferLedger& ledger) {
  for (const auto& before : earlier) ITC_RETURN_IF_ERROR(check_milestone(before));
  ITC_RETURN_IF_ERROR(check_milestone(tips));
  std::unordered_set<const TangleNode*> visited;
  for (const auto& before : earlier) white_flag_order(tangle_, before, &visited);
  return plan_cone(white_flag_order(tangle_, tips, &visited), ledger);
}

Status DagEngine::finalize_milestone(std::uint32_t index, const std::vector<std::string>& tips,
                                     const MilestonePlan& plan) {
  if (index != latest_ + 1)
    return Status::FailedPrecondition("milestone " + std::to_string(index) + ": expected " +
                                      std::to_string(latest_ + 1));
  ITC_RETURN_IF_ERROR(check_milestone(tips));
  std::unordered_set<const TangleNode*> visited;
  const std::vector<TangleNode*> cone = white_flag_order(tangle_, tips, &visited);
  bool same = cone.size() == plan.cone.size();
  for (std::size_t i = 0; same && i < cone.size(); ++i) same = cone[i]->tx.id == plan.cone[i];
  if (!same)
    return Status::FailedPrecondition("milestone " + std::to_string(index) + ": the cone holds " +
                                      std::to_string(cone.size()) + " transactions, the plan " +
                                      std::to_string(plan.cone.size()));
  confirm_cone(index, cone, plan);
  latest_ = index;
  tangle_.after_milestone(cone);
  if (index > params_.below_max_depth() + 1) tangle_.prune(index - params_.below_max_depth() - 1);

  Retained kept;
  kept.roots.index = index;
  kept.roots.conflicting = plan.conflicting;
  kept.roots.inclusion_root = plan.inclusion_root;
  for (const auto& id : plan.included) kept.leaf_hashes.push_back(merkle::leaf_hash(id));
  retained_[index] = std::move(kept);
  while (retained_.size() > params_.milestones_retained()) retained_.erase(retained_.begin());
  return Status::Ok();
}

std::vector<std::string> DagEngine::milestone_tips(
    std::size_t max, const std::vector<std::vector<std::string>>& earlier) {
  std::unordered_set<const TangleNode*> covered;
  for (const auto& before : earlier)
    if (check_milestone(before).ok()) white_flag_order(tangle_, before, &covered);
  std::vector<std::string> out;
  for (const TangleNode* n : tangle_.frontier()) {
    if (out.size() >= max) break;
    if (!covered.contains(n)) out.push_back(n->tx.id);
  }
  return out;
}

std::vector<std::string> DagEngine::missing_for(const std::vector<std::string>& tips) const {
  std::vector<std::string> out;
  bool waits = false;
  for (const auto& id : tips) {
    if (tangle_.contains(id)) continue;
    if (waiting_.contains(id)) {
      waits = true;
    } else {
      out.push_back(id);
    }
  }
  if (waits)
    for (auto& m : waiting_.missing()) out.push_back(std::move(m));
  return out;
}

std::optional<std::string> DagEngine::transaction_bytes(std::string_view id) const {
  const TangleNode* n = tangle_.find(id);
  if (n == nullptr) return std::nullopt;
  return deterministic_bytes(n->tx.tx);
}

TxStatus DagEngine::status(std::string_view id) const {
  TxStatus s;
  if (const TangleNode* n = tangle_.find(id)) {
    s.milestone = n->milestone;
    switch (n->state) {
      case TxState::kPending:
        s.state = TxStatus::State::kPending;
        s.weight = tangle_.weight(*n, kWeightCap);
        break;
      case TxState::kFinal:
        s.state = TxStatus::State::kFinal;
        break;
      case TxState::kConflicting:
        s.state = TxStatus::State::kConflicting;
        s.reason = n->conflict;
        break;
    }
  } else if (const FinalRecord* f = tangle_.final_record(id)) {
    s.state = f->conflicting ? TxStatus::State::kConflicting : TxStatus::State::kFinal;
    s.milestone = f->milestone;
    if (f->conflicting) s.reason = "conflicting (reason pruned)";
  } else if (waiting_.contains(id)) {
    s.state = TxStatus::State::kWaiting;
  }
  return s;
}

Result<InclusionProof> DagEngine::proof(std::string_view id) const {
  std::uint32_t milestone = 0, position = 0;
  if (const TangleNode* n = tangle_.find(id); n && n->state == TxState::kFinal) {
    milestone = n->milestone;
    position = n->position;
  } else if (const FinalRecord* f = tangle_.final_record(id); f && !f->conflicting) {
    milestone = f->milestone;
    position = f->position;
  } else {
    return Status::NotFound("transaction " + crypto::to_hex(id) + " is not final");
  }
  const auto it = retained_.find(milestone);
  if (it == retained_.end())
    return Status::FailedPrecondition("pruned at milestone " + std::to_string(milestone) +
                                      ": its proofs are no longer retained");
  InclusionProof p;
  p.milestone = milestone;
  p.leaf_index = position;
  p.tree_size = it->second.leaf_hashes.size();
  p.path = merkle::inclusion_proof(it->second.leaf_hashes, position);
  return p;
}

Result<MilestoneOutcome> DagEngine::milestone(std::uint32_t index) const {
  const auto it = retained_.find(index);
  if (it == retained_.end())
    return Status::NotFound("milestone " + std::to_string(index) + " is not retained");
  return it->second.roots;
}

}  // namespace itc::dag
