#include "view_change.hpp"

#include <set>

#include "envelope.hpp"
#include "itc/ledger/block_commitments.hpp"

namespace itc::pbft {
namespace {

const std::string kZeroHash(32, '\0');

std::string at(std::uint64_t view, std::uint64_t seq) {
  return "(v" + std::to_string(view) + ", #" + std::to_string(seq) + ")";
}

}  // namespace

Result<CertifiedBlock> check_prepared_certificate(const v1::PreparedCertificate& cert,
                                                  const ledger::ValidatorSet& validators) {
  auto pp_msg = open(cert.pre_prepare(), validators);
  if (!pp_msg.ok()) return pp_msg.status().WithContext("prepared certificate: pre-prepare");
  if (!pp_msg->has_pre_prepare()) {
    return Status::InvalidArgument("prepared certificate: first envelope is not a pre-prepare");
  }
  const auto& pp = pp_msg->pre_prepare();
  if (pp_msg->sender() != validators.primary_of(pp.view())) {
    return Status::PermissionDenied("prepared certificate " + at(pp.view(), pp.seq()) +
                                    ": pre-prepare not from that view's primary");
  }
  if (pp.block().header().height() != pp.seq() || pp.block().hash() != pp.digest() ||
      block_hash(pp.block().header()) != pp.digest()) {
    return Status::InvalidArgument("prepared certificate " + at(pp.view(), pp.seq()) +
                                   ": block does not match the digest or the sequence number");
  }
  ITC_RETURN_IF_ERROR(verify_block(pp.block()).WithContext("prepared certificate"));
  std::set<std::uint32_t> signers;
  for (const auto& env : cert.prepares()) {
    auto m = open(env, validators);
    if (!m.ok()) return m.status().WithContext("prepared certificate: prepare");
    if (!m->has_prepare() || m->prepare().view() != pp.view() || m->prepare().seq() != pp.seq() ||
        m->prepare().digest() != pp.digest()) {
      return Status::InvalidArgument("prepared certificate " + at(pp.view(), pp.seq()) +
                                     ": a prepare does not match the pre-prepare");
    }
    if (m->sender() == pp_msg->sender()) continue;  // the primary does not prepare
    signers.insert(m->sender());
  }
  if (signers.size() < 2 * validators.max_faulty()) {
    return Status::PermissionDenied("prepared certificate " + at(pp.view(), pp.seq()) + ": " +
                                    std::to_string(signers.size()) + " prepares, needs " +
                                    std::to_string(2 * validators.max_faulty()));
  }
  CertifiedBlock out;
  out.view = pp.view();
  out.seq = pp.seq();
  out.digest = pp.digest();
  out.block = pp.block();
  out.pre_prepare = cert.pre_prepare();
  return out;
}

Result<CheckedViewChange> check_view_change(const v1::ConsensusMessage& msg,
                                            const ledger::ValidatorSet& validators,
                                            const EpochStart& start) {
  const auto& vc = msg.view_change();
  CheckedViewChange out;
  out.sender = msg.sender();
  out.new_view = vc.new_view();
  out.stable_seq = vc.stable_seq();
  if (vc.stable_seq() < start.seq) {
    return Status::InvalidArgument("view-change: checkpoint #" + std::to_string(vc.stable_seq()) +
                                   " is below this epoch's start (#" + std::to_string(start.seq) +
                                   ")");
  }
  if (vc.stable_seq() == start.seq) {
    out.stable_digest = start.digest;  // the previous epoch's last block: no proof needed
  } else {
    std::set<std::uint32_t> signers;
    for (const auto& env : vc.checkpoint_proof()) {
      auto m = open(env, validators);
      if (!m.ok()) return m.status().WithContext("view-change: checkpoint proof");
      if (!m->has_checkpoint() || m->checkpoint().seq() != vc.stable_seq()) {
        return Status::InvalidArgument("view-change: checkpoint proof for another sequence number");
      }
      if (out.stable_digest.empty()) out.stable_digest = m->checkpoint().digest();
      if (m->checkpoint().digest() != out.stable_digest) {
        return Status::InvalidArgument("view-change: checkpoint proof with two digests");
      }
      signers.insert(m->sender());
    }
    if (signers.size() < validators.quorum()) {
      return Status::PermissionDenied("view-change: checkpoint #" +
                                      std::to_string(vc.stable_seq()) + " proven by " +
                                      std::to_string(signers.size()) + " validators, needs " +
                                      std::to_string(validators.quorum()));
    }
  }
  for (const auto& cert : vc.prepared()) {
    auto checked = check_prepared_certificate(cert, validators);
    if (!checked.ok()) return checked.status().WithContext("view-change");
    if (checked->seq <= vc.stable_seq() || checked->view >= vc.new_view()) {
      return Status::InvalidArgument("view-change: certificate " + at(checked->view, checked->seq) +
                                     " is below the stable checkpoint or not from an older view");
    }
    if (!out.prepared.emplace(checked->seq, std::move(*checked)).second) {
      return Status::InvalidArgument("view-change: two certificates for one sequence number");
    }
  }
  return out;
}

NewViewPlan plan_new_view(const std::vector<CheckedViewChange>& view_changes) {
  NewViewPlan plan;
  for (const auto& vc : view_changes) {
    if (vc.stable_seq > plan.min_seq ||
        (plan.min_digest.empty() && vc.stable_seq == plan.min_seq && !vc.stable_digest.empty())) {
      plan.min_seq = vc.stable_seq;
      plan.min_digest = vc.stable_digest;
    }
  }
  std::string prev = plan.min_seq == 0 ? kZeroHash : plan.min_digest;
  for (std::uint64_t seq = plan.min_seq + 1;; ++seq) {
    const CertifiedBlock* best = nullptr;
    for (const auto& vc : view_changes) {
      auto it = vc.prepared.find(seq);
      if (it == vc.prepared.end()) continue;
      // Highest view wins; equal views carry the same digest (one pre-prepare per view).
      if (!best || it->second.view > best->view) best = &it->second;
    }
    if (!best || best->block.header().prev_hash() != prev) break;
    plan.reproposals.push_back(*best);
    prev = best->digest;
  }
  return plan;
}

Result<NewViewPlan> check_new_view(const v1::NewView& nv, std::uint32_t sender,
                                   const ledger::ValidatorSet& validators,
                                   const EpochStart& start) {
  const std::uint64_t v = nv.view();
  std::vector<CheckedViewChange> checked;
  std::set<std::uint32_t> senders;
  for (const auto& vc_env : nv.view_changes()) {
    auto m = open(vc_env, validators);
    if (!m.ok() || !m->has_view_change() || m->view_change().new_view() != v) {
      return Status::InvalidArgument("holds an invalid view-change");
    }
    auto c = check_view_change(*m, validators, start);
    if (!c.ok()) return c.status();
    if (senders.insert(c->sender).second) checked.push_back(std::move(*c));
  }
  if (checked.size() < validators.quorum()) {
    return Status::InvalidArgument(std::to_string(checked.size()) + " view-changes, needs " +
                                   std::to_string(validators.quorum()));
  }
  NewViewPlan plan = plan_new_view(checked);
  if (static_cast<std::size_t>(nv.pre_prepares_size()) != plan.reproposals.size()) {
    return Status::InvalidArgument("re-proposes " + std::to_string(nv.pre_prepares_size()) +
                                   " blocks, the view-changes call for " +
                                   std::to_string(plan.reproposals.size()));
  }
  for (int i = 0; i < nv.pre_prepares_size(); ++i) {
    auto m = open(nv.pre_prepares(i), validators);
    const auto& want = plan.reproposals[static_cast<std::size_t>(i)];
    if (!m.ok() || !m->has_pre_prepare() || m->sender() != sender || m->pre_prepare().view() != v ||
        m->pre_prepare().seq() != want.seq || m->pre_prepare().digest() != want.digest) {
      return Status::InvalidArgument("re-proposal " + std::to_string(i) +
                                     " is not the one the view-changes call for");
    }
  }
  return plan;
}

}  // namespace itc::pbft
