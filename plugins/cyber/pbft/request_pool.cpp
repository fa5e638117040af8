#include "request_pool.hpp"

#include "itc/ledger/transactions.hpp"

namespace itc::pbft {

std::string reading_key(const v1::Reading& r) {
  std::string key = "r";
  key += r.frame_digest();
  key += r.device_id();
  key += '/';
  key += r.metric();
  return key;
}

void RequestPool::add(const v1::Request& request, std::uint32_t origin,
                      std::chrono::nanoseconds now) {
  PendingRequest p{request, origin, {}};
  if (request.has_tx()) {
    p.tx_id = ledger::tx_id(request.tx());
    if (queued_tx_ids_.count(p.tx_id) || ordered(p.tx_id)) return;  // already on its way
    queued_tx_ids_.insert(p.tx_id);
  }
  if (queue_.empty()) oldest_queued_ = now;
  queue_.push_back(std::move(p));
}

bool RequestPool::batch_due(std::chrono::nanoseconds now) const {
  return queue_.size() >= limits_.batch_max_requests || now - oldest_queued_ >= limits_.batch_delay;
}

void RequestPool::fill(v1::Block& block, std::chrono::nanoseconds now, const Admit& admit,
                       const Refuse& refuse) {
  const int max_readings = static_cast<int>(limits_.max_block_readings);
  std::uint32_t taken = 0;
  while (!queue_.empty() && taken < limits_.batch_max_requests) {
    PendingRequest& p = queue_.front();
    if (p.request.has_tx()) {
      queued_tx_ids_.erase(p.tx_id);
      if (!ordered(p.tx_id)) {
        Status s = admit(p.request.tx());
        if (s.ok()) {
          *block.add_transactions() = p.request.tx();
          accepted_.insert(p.tx_id);
        } else {
          refuse(p, s);
        }
      }
      queue_.pop_front();
      ++taken;
      continue;
    }
    auto* bundle = p.request.mutable_readings();
    if (block.readings_size() >= max_readings) break;
    int used = 0;
    for (; used < bundle->readings_size(); ++used) {
      if (block.readings_size() >= max_readings) break;
      const auto& r = bundle->readings(used);
      std::string key = reading_key(r);
      if (ordered(key)) continue;
      accepted_.insert(std::move(key));
      *block.add_readings() = r;
    }
    if (used < bundle->readings_size()) {  // the block is full: keep the rest queued
      bundle->mutable_readings()->DeleteSubrange(0, used);
      break;
    }
    queue_.pop_front();
    ++taken;
  }
  if (!queue_.empty()) oldest_queued_ = now;
}

void RequestPool::drop_queue() {
  queue_.clear();
  queued_tx_ids_.clear();
}

void RequestPool::note_executed(std::string key) {
  accepted_.erase(key);
  if (executed_.insert(key).second) executed_order_.push_back(std::move(key));
  while (executed_order_.size() > kExecutedKeysKept) {
    executed_.erase(executed_order_.front());
    executed_order_.pop_front();
  }
}

}  // namespace itc::pbft
