#include "dag_engine.hpp"

#include <algorithm>

#include "itc/crypto.hpp"
#include "itc/merkle.hpp"
#include "parameters.hpp"

namespace itc::dag {

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

SubmitResult DagEngine::submit(std::string_view bytes, std::int64_t now_us) {
  auto decoded = decode_transaction(bytes);
  if (!decoded.ok())
    return refused(admission_.refuse(Refusal::kMalformed, decoded.status().message()), {});
  return admit(std::move(decoded).value(), now_us);
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
  return admit(std::move(checked).value(), now_us);
}

std::optional<Refused> DagEngine::check_parents(const DecodedTransaction& tx,
                                                std::vector<std::string>* missing) {
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
    if (std::find(fresh.begin(), fresh.end(), pid) != fresh.end()) continue;
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
    // A parent may have aged below max depth while this one waited: refused, counted.
    if (check_parents(next, &missing) || !missing.empty()) continue;
    const std::string id = next.id;
    tangle_.attach(std::move(next), now_us, params_.tip_max_approvers(), params_.max_tips());
    ++admitted_;
    attached->push_back(id);
    for (auto& solid : waiting_.arrived(id)) ready.push_back(std::move(solid));
  }
}

SubmitResult DagEngine::admit(DecodedTransaction tx, std::int64_t now_us) {
  waiting_.expire(now_us - params_.issue_window_past_us());
  const std::string id = tx.id;
  if (tangle_.contains(id) || waiting_.contains(id))
    return refused(admission_.refuse(Refusal::kDuplicate,
                                     "transaction " + crypto::to_hex(id) + " is already held"),
                   id);
  if (auto r = admission_.check(tx, now_us)) return refused(std::move(*r), id);
  SubmitResult out;
  out.id = id;
  if (auto r = check_parents(tx, &out.missing)) return refused(std::move(*r), id);
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
  std::string msg = "milestone names transactions not held; fetch:";
  for (const auto& id : unknown) msg += " " + crypto::to_hex(id);
  return Status::NotFound(msg);
}

Result<MilestoneOutcome> DagEngine::apply_milestone(std::uint32_t index,
                                                    const std::vector<std::string>& tips) {
  if (index != latest_ + 1)
    return Status::FailedPrecondition("milestone " + std::to_string(index) + ": expected " +
                                      std::to_string(latest_ + 1));
  ITC_RETURN_IF_ERROR(check_milestone(tips));
  const std::vector<TangleNode*> cone = white_flag_order(tangle_, tips);
  MilestoneOutcome outcome = confirm_cone(index, cone, ledger_);
  latest_ = index;
  tangle_.after_milestone(cone);
  if (index > params_.below_max_depth() + 1) tangle_.prune(index - params_.below_max_depth() - 1);

  Retained kept;
  kept.roots = outcome;
  kept.roots.included.clear();
  for (const auto& id : outcome.included) kept.leaf_hashes.push_back(merkle::leaf_hash(id));
  retained_[index] = std::move(kept);
  while (retained_.size() > params_.milestones_retained()) retained_.erase(retained_.begin());
  return outcome;
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
