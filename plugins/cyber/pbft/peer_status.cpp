#include "peer_status.hpp"

#include <algorithm>

namespace itc::pbft {

std::size_t PeerStatus::heard_within(std::chrono::nanoseconds now,
                                     std::chrono::nanoseconds window) const {
  std::size_t n = 0;
  for (const auto& [peer, when] : last_heard_) n += now - when < window ? 1 : 0;
  return n;
}

std::optional<PeerStatus::Refusal> PeerStatus::note(std::uint32_t peer, const v1::Status& s,
                                                    std::uint64_t own_height,
                                                    std::chrono::nanoseconds now) {
  status_[peer] = s;
  const std::uint64_t claim = s.committed_height();
  std::uint64_t& proven = proven_[peer];
  if (claim <= std::max(proven, own_height)) {
    proven = claim;
    return std::nullopt;
  }
  std::string as_sent = s.SerializeAsString();
  std::string& refused = refused_claims_[peer];
  if (refused == as_sent) return std::nullopt;
  const v1::QuorumCertificate& qc = s.head_qc();
  Status proof = Status::InvalidArgument("it carries no quorum certificate for that height");
  if (qc.height() == claim) {
    v1::BlockHeader header;
    header.set_height(claim);
    proof = validators_.verify_qc(header, qc.block_hash(), qc);
    if (!proof.ok() && next_ != nullptr && next_->verify_qc(header, qc.block_hash(), qc).ok()) {
      proof = Status::Ok();
    }
  }
  if (proof.ok()) {
    proven = claim;
    return std::nullopt;
  }
  refused = std::move(as_sent);
  Refusal refusal{std::move(proof), false};
  auto& logged = claim_logged_[peer];
  if (now - logged > std::chrono::seconds(1) || logged.count() == 0) {
    logged = now;
    refusal.log = true;
  }
  return refusal;
}

std::pair<std::uint32_t, std::uint64_t> PeerStatus::best_proven(std::uint32_t self,
                                                                std::uint64_t own_height) const {
  std::pair<std::uint32_t, std::uint64_t> best{self, own_height};
  for (const auto& [peer, height] : proven_) {
    if (height > best.second) best = {peer, height};
  }
  return best;
}

std::optional<std::uint64_t> PeerStatus::settled_view_ahead(std::uint64_t view,
                                                            bool in_view_change) const {
  std::optional<std::uint64_t> best;
  for (const auto& [peer, st] : status_) {
    const std::uint64_t v = st.view();
    if (st.in_view_change() || v < view || (v == view && !in_view_change)) continue;
    if (best && v <= *best) continue;
    std::size_t there = 0;
    for (const auto& [other, ost] : status_) there += ost.view() >= v && !ost.in_view_change();
    if (there >= validators_.max_faulty() + 1) best = v;
  }
  return best;
}

}  // namespace itc::pbft
