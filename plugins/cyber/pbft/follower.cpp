// Full nodes (pbft `role: follower`): the parts of PbftNode that link followers and
// validators.
//   - A follower's links hold the validators of the chain's epoch and itself after them; its
//     Replica is never a member: it takes the validators' statuses (their QCs prove heights),
//     fetches the committed blocks it lacks, checks each QC against its epoch's set and
//     re-executes the block into its own store. A transaction submitted to it goes to one
//     connected validator and is answered once a block stored here holds it, or when that
//     validator's primary refuses it.
//   - A validator's links hold its `followers` after the validators, so a key not listed is
//     refused at the TLS handshake (PeerNetwork logs it, naming the key). A follower may
//     fetch blocks and forward transactions; anything else it sends (votes, view changes)
//     is dropped and counted, so it never counts toward a quorum. Of a validator's
//     broadcasts, only statuses and DAG transactions go to followers.
//   - With `dag: true`, a follower's DagLink takes the validators' DAG pushes, asks them for
//     what it misses (the cone of a transferred block's milestone among them) and pushes
//     device transactions submitted to it to the validators, as a validator does.
#include <algorithm>

#include "envelope.hpp"
#include "itc/ledger/transactions.hpp"
#include "pbft_node.hpp"

namespace itc::pbft {

Status PbftNode::start_follower_links(const ledger::ValidatorSet& set, std::uint64_t epoch) {
  ITC_RETURN_IF_ERROR(open_links(set, epoch, set.size()));
  env_.log().info("pbft: full node links to the " + std::to_string(set.size()) +
                  " validators of epoch " + std::to_string(epoch));
  return Status::Ok();
}

bool PbftNode::for_followers(const v1::Envelope& envelope) {
  v1::ConsensusMessage msg;
  return msg.ParseFromString(envelope.payload()) &&
         (msg.has_status() || msg.has_dag_transactions());
}

void PbftNode::send_out(std::int64_t peer, const v1::Envelope& envelope) {
  std::string frame = envelope.SerializeAsString();
  if (peer >= 0) {
    if (static_cast<std::uint32_t>(peer) != self_) {
      network_->send(static_cast<std::uint32_t>(peer), std::move(frame));
    }
    return;
  }
  const std::size_t followers = links_ ? links_->followers.size() : 0;
  if (followers == 0) {
    network_->broadcast(frame);
    return;
  }
  const auto validators = static_cast<std::uint32_t>(links_->set.size());
  for (std::uint32_t i = 0; i < validators; ++i) {
    if (i != self_) network_->send(i, frame);
  }
  if (!for_followers(envelope)) return;
  for (std::uint32_t j = 0; j < followers; ++j) network_->send(validators + j, frame);
}

void PbftNode::on_follower_frame(const std::shared_ptr<Links>& links, std::uint32_t peer,
                                 const std::string& frame) {
  const std::size_t j = peer - links->set.size();
  if (j >= links->followers.size()) return;
  const net::PeerSpec& follower = links->followers[j];
  auto log_due = [this] {
    const std::int64_t now = env_.clock().steady_now().count();
    std::int64_t last = last_follower_log_ns_.load();
    return now - last > 1'000'000'000 && last_follower_log_ns_.compare_exchange_strong(last, now);
  };
  if (!links->replay_filter.first_copy(peer, frame)) {
    frames_replayed_.add();
    return;
  }
  auto msg = open_follower_frame(frame, follower.public_key, follower.name, validators_.chain_id());
  if (!msg.ok()) {
    follower_frames_rejected_.add();
    if (log_due()) env_.log().warn("pbft: refused a message: " + msg.status().message());
    return;
  }
  if (msg->has_fetch_blocks()) return serve_blocks(*links, peer, msg->fetch_blocks());
  if (msg->has_status()) return;  // a follower proves nothing to a validator
  if ((msg->has_dag_transactions() || msg->has_dag_fetch()) && settings_.dag) {
    // The DAG's admission rules are the same for every sender; what it asks is answered.
    auto shared = std::make_shared<v1::ConsensusMessage>(std::move(*msg));
    post([this, peer, shared] { on_dag_message(peer, *shared); });
    return;
  }
  if (msg->has_forward()) {
    for (const auto& request : msg->forward().requests()) {
      if (request.has_tx()) {
        submit_follower_tx(links, peer, request.tx());
      } else {
        follower_frames_rejected_.add();
        if (log_due()) {
          env_.log().warn("pbft: refused readings forwarded by follower " + follower.name +
                          ": only a validator vouches for readings");
        }
      }
    }
    return;
  }
  follower_votes_dropped_.add();
  if (log_due()) {
    env_.log().warn("pbft: dropped " + describe(*msg) + " from follower " + follower.name +
                    ": a follower takes no part in consensus");
  }
}

// A follower's transaction enters here as if submitted here; a refusal goes back to it.
void PbftNode::submit_follower_tx(const std::shared_ptr<Links>& links, std::uint32_t peer,
                                  const v1::Transaction& tx) {
  submit(tx, [this, links, peer](const v1::TxResult& result) {
    if (result.committed() || result.reason().starts_with(TransactionPool::kUndecided)) return;
    net::PeerNetwork* network = links->network.load();
    if (network == nullptr) return;
    v1::ConsensusMessage msg;
    msg.set_sender(links->self);
    msg.mutable_refused()->set_tx_id(result.tx_id());
    msg.mutable_refused()->set_reason(result.reason());
    network->send(peer, seal(msg, identity_, validators_.chain_id()).SerializeAsString());
  });
}

// Protocol thread, on a follower: to the next connected validator (round robin).
void PbftNode::forward_tx(const v1::Transaction& tx, const std::string& id) {
  std::optional<std::uint32_t> target;
  if (network_ && links_) {
    const auto peers = network_->stats();
    const auto validators = static_cast<std::uint32_t>(links_->set.size());
    for (std::uint32_t k = 0; k < validators && !target; ++k) {
      const std::uint32_t i = (next_forward_target_ + k) % validators;
      if (i < peers.size() && peers[i].connected_out && peers[i].connected_in) target = i;
    }
  }
  if (!target) {
    v1::TxResult result;
    result.set_tx_id(id);
    result.set_reason("this full node has no link to a validator now; submit again later");
    return tx_done(id, result);
  }
  next_forward_target_ = *target + 1;
  v1::ConsensusMessage msg;
  msg.set_sender(kFollowerSender);
  *msg.mutable_forward()->add_requests()->mutable_tx() = tx;
  {
    std::lock_guard lock(tx_mu_);
    forwarded_[id] =
        env_.clock().steady_now() +
        std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.replica.request_timeout);
  }
  outbox_.emplace_back(*target, seal(msg, identity_, validators_.chain_id()));
}

// Committer thread, on a follower: the transactions forwarded from here that a block stored
// here holds are answered as committed.
void PbftNode::answer_followed_txs(const v1::Block& block) {
  {
    std::lock_guard lock(tx_mu_);
    if (forwarded_.empty()) return;
  }
  for (const auto& tx : block.transactions()) {
    const std::string id = ledger::tx_id(tx);
    {
      std::lock_guard lock(tx_mu_);
      if (forwarded_.erase(id) == 0) continue;
    }
    v1::TxResult result;
    result.set_tx_id(id);
    result.set_committed(true);
    result.set_height(block.header().height());
    tx_done(id, result);
  }
}

void PbftNode::expire_forwarded() {
  const auto now = env_.clock().steady_now();
  std::vector<std::string> expired;
  {
    std::lock_guard lock(tx_mu_);
    for (auto it = forwarded_.begin(); it != forwarded_.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      expired.push_back(it->first);
      it = forwarded_.erase(it);
    }
  }
  for (const std::string& id : expired) {
    v1::TxResult result;
    result.set_tx_id(id);
    result.set_reason(std::string(TransactionPool::kUndecided) + "not in a block stored here " +
                      std::to_string(settings_.replica.request_timeout.count()) +
                      " ms after it was forwarded to a validator; it may still commit");
    tx_done(id, result);
  }
}

}  // namespace itc::pbft
