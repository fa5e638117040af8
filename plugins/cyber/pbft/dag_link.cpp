// DagLink (see dag_link.hpp).
#include "dag_link.hpp"

#include <algorithm>

#include "itc/crypto.hpp"
#include "transaction.hpp"

namespace itc::pbft {
namespace {

// A device account moved by a milestone is the main-chain account of the same key.
class DraftLedger final : public dag::TransferLedger {
 public:
  explicit DraftLedger(ledger::LedgerState::BlockDraft& draft) : draft_(draft) {}
  std::optional<std::string> transfer(const std::string& from, const std::string& to,
                                      std::uint64_t amount) override {
    return draft_.move_balance(from, to, amount);
  }

 private:
  ledger::LedgerState::BlockDraft& draft_;
};

void register_device(dag::InMemoryIssuerDirectory& directory, const v1::DeviceRecord& record) {
  if (record.device_public_key().size() != crypto::kEd25519PublicKeySize) return;
  directory.put(record.device_public_key(),
                dag::IssuerInfo{dag::IssuerKind::kDevice, record.profile(), 0, record.device_id()});
}

const char* outcome_name(dag::SubmitResult::Outcome o) {
  switch (o) {
    case dag::SubmitResult::Outcome::kAdmitted:
      return "admitted";
    case dag::SubmitResult::Outcome::kWaiting:
      return "waiting";
    case dag::SubmitResult::Outcome::kRefused:
      break;
  }
  return "refused";
}

const char* state_name(dag::TxStatus::State s) {
  switch (s) {
    case dag::TxStatus::State::kWaiting:
      return "waiting";
    case dag::TxStatus::State::kPending:
      return "pending";
    case dag::TxStatus::State::kFinal:
      return "final";
    case dag::TxStatus::State::kConflicting:
      return "conflicting";
    case dag::TxStatus::State::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace

Result<std::unique_ptr<DagLink>> DagLink::create(DagLinkOptions options,
                                                 const std::string& chain_id,
                                                 const std::vector<v1::DeviceRecord>& devices,
                                                 Peers peers, Logger& log, const Clock& clock) {
  std::unique_ptr<DagLink> link(new DagLink(options, std::move(peers), log, clock));
  for (const auto& d : devices) register_device(link->directory_, d);
  dag::DagOptions o;
  o.params = std::move(options.params);
  for (int i = 0; i < 2; ++i)
    o.entry_points.push_back(
        crypto::sha256("itc-dag-entry-point/" + std::to_string(i) + "/" + chain_id));
  o.tip_seed = options.tip_seed;
  auto engine = dag::DagEngine::create(std::move(o), link->directory_);
  if (!engine.ok()) return engine.status().WithContext("dag");
  link->engine_ = std::move(engine).value();
  return link;
}

DagLink::DagLink(DagLinkOptions options, Peers peers, Logger& log, const Clock& clock)
    : opt_(std::move(options)), peers_(std::move(peers)), log_(log), clock_(clock) {}

dag::SubmitResult DagLink::admit(std::string_view bytes, std::int64_t from_peer,
                                 dag::Arrival arrival) {
  dag::SubmitResult r = engine_->submit(bytes, clock_.unix_micros(), arrival);
  switch (r.outcome) {
    case dag::SubmitResult::Outcome::kAdmitted:
      grown_ = true;
      if (from_peer < 0) local_waiting_.insert(r.id);  // attached: pushed just below
      push_local(r.attached);
      break;
    case dag::SubmitResult::Outcome::kWaiting:
      if (from_peer < 0) {
        // Bounded as the engine's buffer: what left it (expired) is forgotten here too.
        if (local_waiting_.size() >= opt_.params.solidification_capacity())
          std::erase_if(local_waiting_, [&](const std::string& id) {
            return engine_->status(id).state != dag::TxStatus::State::kWaiting;
          });
        local_waiting_.insert(r.id);
      }
      fetch(r.missing, from_peer);
      break;
    case dag::SubmitResult::Outcome::kRefused:
      break;
  }
  return r;
}

void DagLink::push_local(const std::vector<std::string>& attached) {
  for (const auto& id : attached) {
    if (local_waiting_.erase(id) == 0) continue;
    auto b = engine_->transaction_bytes(id);
    if (!b) continue;
    if (outgoing_bytes_ + b->size() > kMaxServedBytes) send_outgoing();
    auto* batch = outgoing_.mutable_dag_transactions();
    if (batch->transactions_size() == 0) outgoing_since_ = clock_.steady_now();
    outgoing_bytes_ += b->size();
    batch->add_transactions(std::move(*b));
  }
}

void DagLink::send_outgoing() {
  if (outgoing_.dag_transactions().transactions_size() == 0) return;
  outgoing_bytes_ = 0;
  peers_.broadcast(std::exchange(outgoing_, v1::ConsensusMessage()));
}

void DagLink::flush() {
  const int n = outgoing_.dag_transactions().transactions_size();
  if (n == 0) return;
  if (static_cast<std::size_t>(n) < kPushBatch &&
      clock_.steady_now() - outgoing_since_ < kPushDelay)
    return;
  send_outgoing();
}

bool DagLink::was_asked(std::string_view bytes) const {
  v1::DeviceTransaction tx;
  if (!tx.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return false;
  return asked_.contains(dag::transaction_id(tx));
}

void DagLink::fetch(std::vector<std::string> ids, std::int64_t from_peer) {
  const auto now = clock_.steady_now();
  v1::ConsensusMessage msg;
  for (auto& id : ids) {
    if (msg.dag_fetch().ids_size() >= static_cast<int>(kMaxFetchIds)) break;
    auto [it, fresh] = asked_.try_emplace(id, now);
    if (!fresh && now - it->second < kRefetchAfter) continue;
    it->second = now;
    msg.mutable_dag_fetch()->add_ids(std::move(id));
  }
  if (msg.dag_fetch().ids_size() == 0) return;
  // Bounded: forget what was asked long ago (answered or not).
  if (asked_.size() > 4 * kMaxFetchIds)
    std::erase_if(asked_, [&](const auto& e) { return now - e.second > 10 * kRefetchAfter; });
  if (from_peer >= 0) {
    peers_.send(static_cast<std::uint32_t>(from_peer), std::move(msg));
  } else {
    peers_.broadcast(std::move(msg));
  }
}

v1::DagSubmitResult DagLink::submit(const std::string& bytes) {
  const dag::SubmitResult r = admit(bytes, -1, dag::Arrival::kNew);
  v1::DagSubmitResult out;
  out.set_id(r.id);
  out.set_outcome(outcome_name(r.outcome));
  if (r.outcome == dag::SubmitResult::Outcome::kRefused) {
    out.set_reason(std::string(dag::refusal_name(r.reason)));
    out.set_message(r.message);
  }
  for (const auto& m : r.missing) out.add_missing(m);
  return out;
}

void DagLink::on_message(std::uint32_t peer, const v1::ConsensusMessage& msg) {
  if (msg.has_dag_transactions()) {
    const bool answer = msg.dag_transactions().answer();
    for (const auto& bytes : msg.dag_transactions().transactions()) {
      const bool asked = answer && was_asked(bytes);
      admit(bytes, peer, asked ? dag::Arrival::kRequested : dag::Arrival::kNew);
    }
    return;
  }
  if (!msg.has_dag_fetch()) return;
  v1::ConsensusMessage answer;
  std::size_t bytes = 0;
  int asked = 0;
  for (const auto& id : msg.dag_fetch().ids()) {
    if (++asked > static_cast<int>(kMaxFetchIds) || bytes > kMaxServedBytes) break;
    if (auto b = engine_->transaction_bytes(id)) {
      bytes += b->size();
      answer.mutable_dag_transactions()->add_transactions(std::move(*b));
    }
  }
  if (answer.dag_transactions().transactions_size() == 0) return;
  answer.mutable_dag_transactions()->set_answer(true);
  peers_.send(peer, std::move(answer));
}

bool DagLink::take_grown() { return std::exchange(grown_, false); }

v1::DagTxStatus DagLink::status(const std::string& id) const {
  const dag::TxStatus s = engine_->status(id);
  v1::DagTxStatus out;
  out.set_id(id);
  out.set_state(state_name(s.state));
  out.set_weight(s.weight);
  out.set_milestone(s.milestone);
  if (auto it = milestone_heights_.find(s.milestone); it != milestone_heights_.end())
    out.set_height(it->second);
  out.set_reason(s.reason);
  return out;
}

v1::DagTips DagLink::tips(std::uint32_t count) {
  v1::DagTips out;
  for (auto& t : engine_->select_tips(static_cast<int>(count), clock_.unix_micros()))
    out.add_tips(std::move(t));
  out.set_latest_milestone(engine_->latest_milestone());
  if (auto it = milestone_heights_.find(engine_->latest_milestone());
      it != milestone_heights_.end())
    out.set_latest_milestone_height(it->second);
  out.set_held(engine_->held());
  out.set_admitted(engine_->admitted());
  return out;
}

Result<v1::DagInclusion> DagLink::inclusion(const std::string& id) const {
  auto proof = engine_->proof(id);
  if (!proof.ok()) return proof.status();
  const auto height = milestone_heights_.find(proof->milestone);
  if (height == milestone_heights_.end())
    return Status::FailedPrecondition("pruned at milestone " + std::to_string(proof->milestone) +
                                      ": its block height is no longer retained");
  v1::DagInclusion out;
  out.set_id(id);
  out.set_milestone(proof->milestone);
  out.set_height(height->second);
  out.set_leaf_index(proof->leaf_index);
  out.set_tree_size(proof->tree_size);
  for (const auto& h : proof->path) out.add_path(h);
  return out;
}

std::vector<std::string> DagLink::propose(const MilestoneList& earlier) {
  if (engine_->pending() == 0) return {};
  return engine_->milestone_tips(opt_.milestone_max_tips, earlier);
}

Result<std::string> DagLink::plan(const std::vector<std::string>& tips,
                                  const MilestoneList& earlier,
                                  ledger::LedgerState::BlockDraft& draft) {
  if (tips.size() > opt_.milestone_max_tips)
    return Status::InvalidArgument("a milestone of " + std::to_string(tips.size()) +
                                   " tips, at most " + std::to_string(opt_.milestone_max_tips));
  DraftLedger ledger(draft);
  auto planned = engine_->plan_milestone(tips, earlier, ledger);
  if (!planned.ok()) {
    if (planned.status().code() == Status::Code::kNotFound) {
      std::vector<std::string> missing;
      for (const auto& before : earlier) {
        auto m = engine_->missing_for(before);
        missing.insert(missing.end(), m.begin(), m.end());
      }
      auto m = engine_->missing_for(tips);
      missing.insert(missing.end(), m.begin(), m.end());
      fetch(std::move(missing), -1);
    }
    return planned.status();
  }
  std::string root = planned->inclusion_root;
  if (plans_.try_emplace(root, std::move(planned).value()).second) plan_order_.push_back(root);
  while (plan_order_.size() > 256) {
    plans_.erase(plan_order_.front());
    plan_order_.pop_front();
  }
  return root;
}

void DagLink::executed(const v1::Block& block) {
  for (const auto& tx : block.transactions()) {
    if (!tx.has_register_device()) continue;
    v1::DeviceRecord r;
    r.set_device_id(tx.register_device().device_id());
    r.set_profile(tx.register_device().profile());
    r.set_device_public_key(tx.register_device().device_public_key());
    register_device(directory_, r);
  }
  const auto& h = block.header();
  if (h.milestone_size() == 0) return;
  const std::uint32_t index = engine_->latest_milestone() + 1;
  const std::vector<std::string> tips(h.milestone().begin(), h.milestone().end());
  auto it = plans_.find(h.dag_root());
  Status s = it == plans_.end() ? Status::Internal("its milestone was never worked out here")
                                : engine_->finalize_milestone(index, tips, it->second);
  if (!s.ok()) {
    log_.error("dag: milestone of block " + std::to_string(h.height()) +
               " not applied: " + s.message());
    return;
  }
  plans_.erase(it);
  milestone_heights_[index] = h.height();
  while (milestone_heights_.size() > opt_.params.milestones_retained())
    milestone_heights_.erase(milestone_heights_.begin());
}

}  // namespace itc::pbft
