// RequestPool: the requests waiting to be ordered and the memory of what was ordered,
// apart from agreement (the Replica decides when a block may be proposed; the pool
// decides what goes in it).
//
// - Queue: the primary's requests (transactions, reading bundles) in arrival order, each
//   with the validator it came from. A batch is due when it is full
//   (`batch_max_requests`) or its oldest request has waited `batch_delay`.
// - Deduplication: transaction ids and reading keys (reading_key()) in blocks this
//   replica accepted (tentative chain) or executed. A request already queued, accepted
//   or executed is not queued again, and fill() skips what became ordered meanwhile, so
//   a request re-sent after a view change, relayed by several backups or replayed by a
//   Byzantine validator is ordered at most once — within the last
//   `kExecutedKeysKept` executed keys, beyond which a copy would be ordered again (its
//   transaction then fails its nonce check; a reading is stored twice).
// Thread safety: none (the replica's protocol thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_set>

#include "itc/status.hpp"
#include "itc/v1/consensus.pb.h"

namespace itc::pbft {

// A reading's identity: the primary orders each one once (a copy is skipped).
std::string reading_key(const v1::Reading& r);

struct PendingRequest {
  v1::Request request;
  std::uint32_t origin = 0;  // the validator it came from
  std::string tx_id;         // empty for readings
};

class RequestPool {
 public:
  static constexpr std::size_t kExecutedKeysKept = 2'000'000;

  struct Limits {
    std::uint32_t batch_max_requests = 512;
    std::chrono::nanoseconds batch_delay{2'000'000};
    std::uint32_t max_block_readings = 20000;
  };
  explicit RequestPool(Limits limits) : limits_(limits) {}

  // Queues `request` from `origin` unless it is a transaction already queued or ordered.
  void add(const v1::Request& request, std::uint32_t origin, std::chrono::nanoseconds now);
  // A full batch waits, or the oldest request waited batch_delay.
  bool batch_due(std::chrono::nanoseconds now) const;

  // Whether a transaction may go into the block being built; the status is its answer.
  using Admit = std::function<Status(const v1::Transaction&)>;
  using Refuse = std::function<void(const PendingRequest&, const Status&)>;
  // Moves up to batch_max_requests requests from the queue into `block` (at most
  // max_block_readings readings; a bundle that does not fit leaves its rest queued),
  // skipping what is ordered already; a transaction `admit` refuses goes to `refuse`.
  // Everything put into `block` counts as accepted.
  void fill(v1::Block& block, std::chrono::nanoseconds now, const Admit& admit,
            const Refuse& refuse);

  bool empty() const { return queue_.empty(); }
  std::size_t size() const { return queue_.size(); }
  void drop_queue();

  // A transaction id or reading key is in an accepted or executed block.
  bool ordered(const std::string& key) const {
    return accepted_.count(key) != 0 || executed_.count(key) != 0;
  }
  void note_accepted(std::string key) { accepted_.insert(std::move(key)); }
  void note_executed(std::string key);
  // The tentative chain was dropped: its blocks are no longer accepted.
  void forget_accepted() { accepted_.clear(); }

 private:
  const Limits limits_;
  std::deque<PendingRequest> queue_;
  std::unordered_set<std::string> queued_tx_ids_;
  std::chrono::nanoseconds oldest_queued_{0};
  std::unordered_set<std::string> accepted_;
  std::unordered_set<std::string> executed_;
  std::deque<std::string> executed_order_;  // oldest first, for the bound
};

}  // namespace itc::pbft
