// LocalRequests: the requests a replica waits on for someone else, apart from agreement.
//
// - Transactions submitted on this node wait here until the block holding them is
//   durable, the primary refuses them, or `request_timeout` passes; each is answered
//   once (the caller answers what take() and take_expired() hand back).
// - Reading bundles produced here are kept `bundles_kept` (4 view-change timeouts) so a
//   view change can re-send them to the next primary, which skips readings it already
//   ordered (RequestPool).
// - Liveness: a backup watches the transactions other backups relay to it (their delay
//   counts against the primary) and, before it suspects the primary, relays its own
//   waiting transactions to every replica once, so all of them watch the primary and a
//   view change gathers its quorum. A Byzantine primary can delay a request only until
//   2f+1 replicas time out on it together.
// Thread safety: none (the replica's protocol thread). Times are steady-clock readings.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "itc/v1/consensus.pb.h"

namespace itc::pbft {

class LocalRequests {
 public:
  LocalRequests(std::uint32_t self, std::chrono::nanoseconds bundles_kept,
                std::chrono::nanoseconds request_timeout)
      : self_(self), bundles_kept_(bundles_kept), request_timeout_(request_timeout) {}

  // A transaction submitted here; nullopt if it already waits.
  // This validator's index in the set of the current epoch (it may change at a boundary).
  void set_self(std::uint32_t self) { self_ = self; }

  std::optional<v1::Request> submit(v1::Transaction tx, const std::string& tx_id,
                                    std::chrono::nanoseconds now);
  // Stops waiting for `tx_id`: true if it waited here (the caller answers it).
  bool take(const std::string& tx_id);
  // The transactions that waited `request_timeout` (no longer waiting; the caller answers
  // them "not committed"); also stops watching relayed ones as old.
  std::vector<std::string> take_expired(std::chrono::nanoseconds now);
  std::size_t transactions() const { return txs_.size(); }

  // A bundle of readings produced here (numbered from 1), kept for re-sending.
  v1::Request bundle(std::vector<v1::Reading> readings, std::chrono::nanoseconds now);

  // What a new view's primary gets from this replica: every waiting transaction and
  // every kept bundle. Watching and relaying start afresh in the new view.
  std::vector<v1::Request> for_new_primary();

  // Starts watching a transaction relayed by a backup: false if watched already.
  bool watch(const std::string& tx_id, std::chrono::nanoseconds now) {
    return watched_.emplace(tx_id, now).second;
  }
  void unwatch(const std::string& key) {
    if (!watched_.empty()) watched_.erase(key);
  }
  // The waiting transactions, the first time since the last progress (then nullopt).
  std::optional<v1::ForwardRequests> relay_once();
  // A block executed: relaying may be needed again.
  void progressed() { relayed_ = false; }

  // Something here waits for the primary: a transaction, a watched relay, or a bundle
  // sent within `window`.
  bool waiting(std::chrono::nanoseconds now, std::chrono::nanoseconds window) const;

 private:
  struct Tx {
    v1::Transaction tx;
    std::chrono::nanoseconds submitted;
  };
  struct Bundle {
    v1::Request request;
    std::chrono::nanoseconds sent;
  };

  std::uint32_t self_;
  const std::chrono::nanoseconds bundles_kept_;
  const std::chrono::nanoseconds request_timeout_;
  std::map<std::string, Tx> txs_;
  std::deque<Bundle> bundles_;  // oldest first
  std::uint64_t next_bundle_seq_ = 1;
  std::map<std::string, std::chrono::nanoseconds> watched_;  // relayed to us by backups
  bool relayed_ = false;  // the waiting transactions went to all since the last progress
};

}  // namespace itc::pbft
