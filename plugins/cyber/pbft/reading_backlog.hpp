// ReadingBacklog: the readings this validator accepted from its own sources that are not
// yet in a block stored here — waiting to be bundled, forwarded to the primary and
// ordered, or ordered and waiting for the store. Bounded by max_pending_readings: add()'s
// caller (the bus handler) waits for room, which holds the sources back. A reading leaves
// only when a stored block holds it (whoever proposed it), so a stop can save exactly
// what is not stored (PendingJournal) and nothing the sources were told is taken is lost.
// Readings are identified by reading_key() (replica.hpp), as the primary de-duplicates.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "itc/v1/ledger.pb.h"

namespace itc::pbft {

class ReadingBacklog {
 public:
  // Adds a reading (a copy of one already here is ignored). Returns the backlog's size.
  std::size_t add(const v1::Reading& reading);
  // Readings added since the last call (to bundle and submit), oldest first.
  std::vector<v1::Reading> take_new(std::chrono::nanoseconds now);
  // Readings not ordered by the network `older_than` after they were last submitted
  // (their bundle was lost, e.g. dropped after a view change): to submit again.
  std::vector<v1::Reading> take_unordered(std::chrono::nanoseconds now,
                                          std::chrono::nanoseconds older_than);
  // The network ordered (executed) `block`: its readings need no re-submission.
  void ordered(const v1::Block& block);
  // `block` is stored here: its readings leave the backlog. Returns how many did.
  std::size_t stored(const v1::Block& block);
  // Everything in the backlog, oldest first (for the journal).
  std::vector<v1::Reading> snapshot() const;
  std::size_t size() const;
  // The arrival number of the newest reading added; whether any reading that arrived up
  // to `arrival` is still here.
  std::uint64_t last_arrival() const;
  bool holds_any_up_to(std::uint64_t arrival) const;
  // Waits while size() >= limit and !release() (checked every 100 ms and on removals).
  void wait_for_room(std::size_t limit, const std::function<bool()>& release);
  void wake();

 private:
  struct Entry {
    v1::Reading reading;
    bool ordered = false;
    std::chrono::nanoseconds submitted{0};  // 0: not yet
  };
  mutable std::mutex mu_;
  std::condition_variable room_;
  std::uint64_t next_seq_ = 1;
  std::map<std::uint64_t, Entry> entries_;                 // by arrival
  std::unordered_map<std::string, std::uint64_t> seq_of_;  // reading_key -> arrival
  std::vector<std::uint64_t> fresh_;                       // not yet submitted
};

}  // namespace itc::pbft
