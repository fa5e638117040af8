#include "envelope.hpp"

#include <optional>

#include "itc/ledger/transactions.hpp"

namespace itc::pbft {
namespace {

constexpr std::string_view kDomain = "itc-pbft-v1";

void put_be32(std::uint32_t v, std::string* out) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string signing_bytes(const v1::ConsensusMessage& msg, std::string_view chain_id,
                          std::string_view payload) {
  if (msg.has_commit()) {
    const auto& c = msg.commit();
    return ledger::commit_signing_bytes(chain_id, c.view(), c.seq(), c.digest());
  }
  return envelope_signing_bytes(chain_id, payload);
}

}  // namespace

std::string envelope_signing_bytes(std::string_view chain_id, std::string_view payload) {
  std::string out;
  out.reserve(kDomain.size() + 4 + chain_id.size() + payload.size());
  out.append(kDomain);
  put_be32(static_cast<std::uint32_t>(chain_id.size()), &out);
  out.append(chain_id);
  out.append(payload);
  return out;
}

v1::Envelope seal(const v1::ConsensusMessage& msg, const crypto::Ed25519PrivateKey& key,
                  std::string_view chain_id) {
  v1::Envelope env;
  env.set_sender(msg.sender());
  msg.SerializeToString(env.mutable_payload());
  env.set_signature(key.sign(signing_bytes(msg, chain_id, env.payload())));
  return env;
}

Result<v1::ConsensusMessage> open(const v1::Envelope& envelope,
                                  const ledger::ValidatorSet& validators,
                                  std::optional<std::uint32_t> claimed_peer) {
  const std::uint32_t sender = envelope.sender();
  if (sender >= validators.size()) {
    return Status::PermissionDenied("envelope from unknown validator " + std::to_string(sender));
  }
  if (claimed_peer && *claimed_peer != sender) {
    return Status::PermissionDenied("envelope claims validator " + std::to_string(sender) +
                                    " but arrived on validator " + std::to_string(*claimed_peer) +
                                    "'s link");
  }
  v1::ConsensusMessage msg;
  if (!msg.ParseFromString(envelope.payload())) {
    return Status::InvalidArgument("envelope from " + validators.validator(sender).name() +
                                   ": payload is not a ConsensusMessage");
  }
  if (msg.sender() != sender) {
    return Status::PermissionDenied("envelope from " + validators.validator(sender).name() +
                                    " carries a message of validator " +
                                    std::to_string(msg.sender()));
  }
  if (!validators.key(sender).verify(signing_bytes(msg, validators.chain_id(), envelope.payload()),
                                     envelope.signature())) {
    return Status::PermissionDenied(describe(msg) + " from " + validators.validator(sender).name() +
                                    ": signature does not verify");
  }
  return msg;
}

Result<v1::ConsensusMessage> open_follower_frame(std::string_view frame,
                                                 std::string_view follower_key,
                                                 std::string_view follower_name,
                                                 std::string_view chain_id) {
  const std::string from = "follower " + std::string(follower_name);
  v1::Envelope envelope;
  if (!envelope.ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    return Status::InvalidArgument("a frame from " + from + " is not an Envelope");
  }
  v1::ConsensusMessage msg;
  if (envelope.sender() != kFollowerSender || !msg.ParseFromString(envelope.payload()) ||
      msg.sender() != kFollowerSender) {
    return Status::InvalidArgument("an envelope from " + from +
                                   " is not a follower's (sender or payload)");
  }
  if (!crypto::ed25519_verify(follower_key, signing_bytes(msg, chain_id, envelope.payload()),
                              envelope.signature())) {
    return Status::PermissionDenied(describe(msg) + " from " + from +
                                    ": signature does not verify");
  }
  return msg;
}

std::string describe(const v1::ConsensusMessage& msg) {
  auto vs = [](std::uint64_t view, std::uint64_t seq) {
    return "(v" + std::to_string(view) + ", #" + std::to_string(seq) + ")";
  };
  switch (msg.body_case()) {
    case v1::ConsensusMessage::kForward:
      return "forward(" + std::to_string(msg.forward().requests_size()) + " requests)";
    case v1::ConsensusMessage::kPrePrepare:
      return "pre-prepare" + vs(msg.pre_prepare().view(), msg.pre_prepare().seq());
    case v1::ConsensusMessage::kPrepare:
      return "prepare" + vs(msg.prepare().view(), msg.prepare().seq());
    case v1::ConsensusMessage::kCommit:
      return "commit" + vs(msg.commit().view(), msg.commit().seq());
    case v1::ConsensusMessage::kCheckpoint:
      return "checkpoint(#" + std::to_string(msg.checkpoint().seq()) + ")";
    case v1::ConsensusMessage::kViewChange:
      return "view-change(to v" + std::to_string(msg.view_change().new_view()) + ")";
    case v1::ConsensusMessage::kNewView:
      return "new-view(v" + std::to_string(msg.new_view().view()) + ")";
    case v1::ConsensusMessage::kFetchBlocks:
      return "fetch-blocks(" + std::to_string(msg.fetch_blocks().from_height()) + ".." +
             std::to_string(msg.fetch_blocks().to_height()) + ")";
    case v1::ConsensusMessage::kBlocks:
      return "blocks(" + std::to_string(msg.blocks().blocks_size()) + ")";
    case v1::ConsensusMessage::kStatus:
      return "status";
    case v1::ConsensusMessage::kFetchNewView:
      return "fetch-new-view(v" + std::to_string(msg.fetch_new_view().view()) + ")";
    case v1::ConsensusMessage::kRefused:
      return "refused";
    case v1::ConsensusMessage::kDagTransactions:
      return "dag-transactions(" + std::to_string(msg.dag_transactions().transactions_size()) + ")";
    case v1::ConsensusMessage::kDagFetch:
      return "dag-fetch(" + std::to_string(msg.dag_fetch().ids_size()) + ")";
    case v1::ConsensusMessage::BODY_NOT_SET:
      break;
  }
  return "empty message";
}

Result<v1::ConsensusMessage> open_peer_frame(std::string_view frame,
                                             const ledger::ValidatorSet& validators,
                                             std::uint32_t peer, bool allow_unsigned_anchors,
                                             v1::Envelope* envelope,
                                             std::vector<std::string>* dropped) {
  if (!envelope->ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    return Status::InvalidArgument("not an Envelope");
  }
  auto msg = open(*envelope, validators, peer);
  if (!msg.ok()) return msg.status();
  const std::string_view chain_id = validators.chain_id();
  if (msg->has_pre_prepare()) {
    const auto& txs = msg->pre_prepare().block().transactions();
    for (int i = 0; i < txs.size(); ++i) {
      Status s = ledger::check_tx_signature(chain_id, txs[i], allow_unsigned_anchors);
      if (!s.ok()) {
        return Status::InvalidArgument(describe(*msg) + ": transaction " + std::to_string(i) +
                                       ": " + s.message());
      }
    }
  } else if (msg->has_forward()) {
    auto* requests = msg->mutable_forward()->mutable_requests();
    for (int i = requests->size() - 1; i >= 0; --i) {
      if (!(*requests)[i].has_tx()) continue;
      Status s = ledger::check_tx_signature(chain_id, (*requests)[i].tx(), allow_unsigned_anchors);
      if (!s.ok()) {
        dropped->push_back("forwarded transaction: " + s.message());
        requests->DeleteSubrange(i, 1);
      }
    }
  }
  return msg;
}

}  // namespace itc::pbft
