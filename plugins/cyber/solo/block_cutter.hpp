// BlockCutter: solo's ordering core. It buffers readings in arrival order and cuts them
// into hash-chained blocks on top of the ledger's head, appending each to the
// LedgerStore and announcing it on topics::kBlocks.
//
// A block that the store refuses is not lost: its readings go back to the front of the
// pending buffer, the refusal is logged with the store's reason, and the head is re-read
// from the store before the next attempt.
// Thread safety: all methods may be called from any thread; cuts are serialised.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "itc/host_env.hpp"
#include "itc/services/ledger_store.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::solo {

class BlockCutter {
 public:
  BlockCutter(HostEnv& env, std::uint32_t max_block_readings);

  // Adopts `store` and continues from its head. FailedPrecondition/Corruption from the
  // store are passed on.
  Status resume(LedgerStore* store);
  // Forgets the store (after this, cuts fail until resume()).
  void detach();

  // Buffers a reading; returns the number now pending.
  std::size_t add(v1::Reading reading);
  // Puts readings back in front of the buffer (imported state, older than anything new).
  void add_front(std::vector<v1::Reading> readings);
  std::size_t pending() const;
  // What the backlog holds: pending readings plus those in a block being appended (they
  // come back if the store refuses it). The bound max_pending_readings applies to this.
  std::size_t waiting() const;
  std::vector<v1::Reading> pending_copy() const;

  // Back-pressure: waits while `limit` or more readings are pending (counting those in a
  // block being appended, which come back if it is refused), until a committed
  // block makes room or `release()` turns true (checked at least every 100 ms and on
  // wake()). True if it had to wait.
  bool wait_for_room(std::size_t limit, const std::function<bool()>& release);
  void wake();
  // Readings in blocks this cutter (or a predecessor) appended, for as long as the node runs.
  std::uint64_t readings_committed() const { return readings_committed_.value(); }

  // Cuts blocks of exactly max_block_readings while that many are pending.
  Status cut_full_blocks();
  // Cuts blocks until nothing is pending (the last one may be small). For drain().
  Status cut_all();
  // The interval's cut: one block of what is pending now (up to max_block_readings),
  // then full blocks only. Readings arriving while a block commits wait for the next
  // interval instead of trickling into tiny blocks.
  Status cut_interval();

  std::uint64_t head_height() const { return head_height_.load(); }

 private:
  // Cuts one block of up to max_block_readings; Ok if nothing was pending.
  Status cut_one();
  v1::Block build_block(std::vector<v1::Reading> readings) const;
  void publish_committed(const v1::Block& block, std::int64_t oldest_sample_us);

  HostEnv& env_;
  const std::uint32_t max_block_readings_;
  const std::string producer_;

  mutable std::mutex pending_mu_;
  std::vector<v1::Reading> pending_;  // arrival order
  std::size_t in_block_ = 0;          // taken into the block being appended (back if refused)
  std::condition_variable room_;      // signalled when a block commits (with pending_mu_)

  std::mutex commit_mu_;  // serialises cuts; guards store_ and head_hash_
  LedgerStore* store_ = nullptr;
  std::atomic<std::uint64_t> head_height_{0};
  std::string head_hash_;
  std::uint64_t failed_attempts_ = 0;  // consecutive refusals, for the log

  Counter& blocks_committed_;
  Counter& readings_committed_;
  Counter& append_failures_;
  Gauge& height_;
  Gauge& last_block_latency_;
  Gauge& pending_readings_;
};

}  // namespace itc::solo
