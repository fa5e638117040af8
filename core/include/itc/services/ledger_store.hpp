// LedgerStore: durable, append-only storage of hash-chained blocks. Provided by the
// cyber-layer store plugins (store-sqlite; store-postgres later), used by the ordering
// plugins (solo; pbft later) and by the admin API.
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc {

class LedgerStore {
 public:
  static constexpr std::string_view kServiceName = "itc.ledger-store.v1";
  virtual ~LedgerStore() = default;

  // Appends `block` atomically. On success it is durable (survives a crash). Refuses
  // with FailedPrecondition a height that is not head+1 or a prev_hash that is not the
  // head's hash, and with Corruption a block that fails verify_block(); nothing is
  // written then.
  virtual Status append(const v1::Block& block) = 0;

  // The last block's header and hash, or nullopt for an empty ledger.
  virtual Result<std::optional<v1::BlockCommitted>> head() = 0;

  // The whole block at `height`, NotFound if there is none.
  virtual Result<v1::Block> block(std::uint64_t height) = 0;
};

}  // namespace itc
