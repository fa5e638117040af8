// LedgerRetention: what a ledger store keeps of old blocks, so its disk use stops growing.
// Provided beside itc.ledger-store.v2 by the store plugins (store-sqlite, store-postgres);
// used by the admin API to answer a pruned block "410 Gone" with the reason.
//
// Retention removes the bulky parts of old blocks — their readings and transaction
// bodies — oldest block first, and keeps every block's header, hash and quorum
// certificate, the whole ledger state, and the head block in full. A block whose bulky
// parts are gone is "pruned": LedgerStore::block() answers it with FailedPrecondition
// "block N: pruned ...", never with a block that would not verify.
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc {

class LedgerRetention {
 public:
  static constexpr std::string_view kServiceName = "itc.ledger-retention.v1";
  virtual ~LedgerRetention() = default;

  // Blocks 1..pruned_through() are pruned; 0 when none is.
  virtual std::uint64_t pruned_through() = 0;

  // What retention keeps, for messages and docs: "readings and transactions of the last 30
  // days and at most 2048 MB of them; headers, QCs and state of every block", or "everything
  // (retention off)".
  virtual std::string policy() = 0;

  // The header, hash and certificate of block `height`, pruned or not (committed_at_us and
  // oldest_sample_us as stored). NotFound if there is no such block.
  virtual Result<v1::BlockCommitted> header(std::uint64_t height) = 0;

  // Runs pruning now until the policy is met or `max_blocks` blocks were pruned; returns
  // how many were. The store also runs it in small batches on a timer.
  virtual Result<std::uint64_t> prune(std::uint64_t max_blocks) = 0;
};

}  // namespace itc
