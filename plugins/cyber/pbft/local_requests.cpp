#include "local_requests.hpp"

namespace itc::pbft {

std::optional<v1::Request> LocalRequests::submit(v1::Transaction tx, const std::string& tx_id,
                                                 std::chrono::nanoseconds now) {
  if (txs_.count(tx_id)) return std::nullopt;
  v1::Request request;
  *request.mutable_tx() = tx;
  txs_.emplace(tx_id, Tx{std::move(tx), now});
  return request;
}

bool LocalRequests::take(const std::string& tx_id) {
  auto it = txs_.find(tx_id);
  if (it == txs_.end()) return false;
  txs_.erase(it);
  return true;
}

std::vector<std::string> LocalRequests::take_expired(std::chrono::nanoseconds now) {
  std::vector<std::string> expired;
  for (auto it = txs_.begin(); it != txs_.end();) {
    if (now - it->second.submitted < request_timeout_) {
      ++it;
      continue;
    }
    expired.push_back(it->first);
    it = txs_.erase(it);
  }
  for (auto it = watched_.begin(); it != watched_.end();) {
    it = now - it->second > request_timeout_ ? watched_.erase(it) : std::next(it);
  }
  return expired;
}

v1::Request LocalRequests::bundle(std::vector<v1::Reading> readings, std::chrono::nanoseconds now) {
  v1::Request request;
  auto* bundle = request.mutable_readings();
  bundle->set_origin(self_);
  bundle->set_seq(next_bundle_seq_++);
  for (auto& r : readings) *bundle->add_readings() = std::move(r);
  while (!bundles_.empty() && now - bundles_.front().sent > bundles_kept_) bundles_.pop_front();
  bundles_.push_back(Bundle{request, now});
  return request;
}

std::vector<v1::Request> LocalRequests::for_new_primary() {
  std::vector<v1::Request> resend;
  for (const auto& [id, local] : txs_) {
    v1::Request r;
    *r.mutable_tx() = local.tx;
    resend.push_back(std::move(r));
  }
  for (const auto& b : bundles_) resend.push_back(b.request);
  watched_.clear();
  relayed_ = false;
  return resend;
}

std::optional<v1::ForwardRequests> LocalRequests::relay_once() {
  if (relayed_ || txs_.empty()) return std::nullopt;
  relayed_ = true;
  v1::ForwardRequests forward;
  for (const auto& [id, local] : txs_) *forward.add_requests()->mutable_tx() = local.tx;
  return forward;
}

bool LocalRequests::waiting(std::chrono::nanoseconds now, std::chrono::nanoseconds window) const {
  return !txs_.empty() || !watched_.empty() ||
         (!bundles_.empty() && now - bundles_.back().sent < window);
}

}  // namespace itc::pbft
