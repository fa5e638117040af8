// LedgerStore: durable, append-only storage of hash-chained blocks, their quorum
// certificates, the ledger state they produce, and an index of their readings. Provided
// by the cyber-layer store plugins (store-sqlite, store-postgres), used by the ordering
// plugins (solo, pbft) and by the admin API. Both backends pass one conformance suite
// (tests/ledger/store_conformance.hpp).
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc {

class LedgerStore {
 public:
  static constexpr std::string_view kServiceName = "itc.ledger-store.v2";
  virtual ~LedgerStore() = default;

  // Appends `block` (readings, transactions, quorum certificate) and applies `delta` to
  // the stored state, all in one transaction: after a crash either both are there or
  // neither. On success it is durable. Refuses with FailedPrecondition a height that is
  // not head+1 or a prev_hash that is not the head's hash, and with Corruption a block
  // that fails verify_block(); nothing is written then.
  virtual Status append(const v1::Block& block, const v1::StateDelta& delta) = 0;
  Status append(const v1::Block& block) { return append(block, v1::StateDelta()); }

  // The last block's header, hash and certificate, or nullopt for an empty ledger.
  virtual Result<std::optional<v1::BlockCommitted>> head() = 0;

  // The whole block at `height` (with its certificate), NotFound if there is none.
  virtual Result<v1::Block> block(std::uint64_t height) = 0;

  // The current value of one state key, nullopt if absent.
  virtual Result<std::optional<std::string>> state_value(std::string_view key) = 0;

  // Every state entry in ascending key order (bytewise), from one consistent snapshot;
  // stops at the first non-Ok status `visit` returns and passes it on. `visit` runs while
  // the store holds its lock: it must not call the store.
  using StateVisitor = std::function<Status(const std::string& key, const std::string& value)>;
  virtual Status scan_state(const StateVisitor& visit) = 0;

  // Readings of one device from blocks at or above `from_height`, in chain order, at most
  // `limit`.
  virtual Result<std::vector<v1::Reading>> readings(std::string_view device_id,
                                                    std::uint64_t from_height,
                                                    std::size_t limit) = 0;
};

}  // namespace itc
