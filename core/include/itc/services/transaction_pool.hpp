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

  // A reason that starts with this is no verdict: the pool gave up waiting (a timeout, or
  // the node stopped) after the transaction may have reached other nodes, so it may still
  // commit. The admin API answers it 504, never as a refusal.
  static constexpr std::string_view kUndecided = "undecided: ";

  // Checks `tx` (signature, fee, format) and sends it towards the primary. `done` is
  // called exactly once, from any thread: committed=true with the block height once a
  // block holding it is committed, committed=false with the reason it was refused, or
  // committed=false with a reason starting with kUndecided when the pool stopped waiting
  // without a verdict. It may be called before submit() returns.
  virtual void submit(const v1::Transaction& tx, std::function<void(v1::TxResult)> done) = 0;
};

}  // namespace itc
