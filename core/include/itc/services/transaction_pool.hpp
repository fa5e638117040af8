// TransactionPool: where main-chain transactions enter a node. Provided by the ordering
// plugin (cyber/pbft); the admin API's POST /v1/tx calls it.
#pragma once

#include <functional>
#include <string_view>

#include "itc/v1/ledger.pb.h"

namespace itc {

class TransactionPool {
 public:
  static constexpr std::string_view kServiceName = "itc.transaction-pool.v1";
  virtual ~TransactionPool() = default;

  // Checks `tx` (signature, fee, format) and sends it towards the primary. `done` is
  // called exactly once, from any thread: committed=true with the block height once a
  // block holding it is committed, or committed=false with the reason it was refused
  // (including a timeout). It may be called before submit() returns.
  virtual void submit(const v1::Transaction& tx, std::function<void(v1::TxResult)> done) = 0;
};

}  // namespace itc
