// DeviceTransactions: where device transactions of the DAG side chain enter a node and
// are looked up. Provided by the ordering plugin when its chain carries the DAG (cyber/pbft
// with `dag: true`); the admin API's /v1/dag routes call it.
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "itc/status.hpp"
#include "itc/v1/dag.pb.h"

namespace itc {

class DeviceTransactions {
 public:
  static constexpr std::string_view kServiceName = "itc.device-transactions.v1";
  virtual ~DeviceTransactions() = default;

  // Admission of `bytes` (a v1::DeviceTransaction, canonical encoding): admitted (and
  // passed on to peers), waiting for parents (asked of peers), or refused with the rule
  // and what was wrong.
  virtual v1::DagSubmitResult submit(std::string bytes) = 0;
  // The state of transaction `id` (32 raw bytes) on this node.
  virtual v1::DagTxStatus status(std::string id) = 0;
  // Up to `count` tips for an issuer to approve, and the latest milestone.
  virtual v1::DagTips tips(std::uint32_t count) = 0;
  // Where final transaction `id` sits in its milestone's inclusion tree. NotFound if it is
  // not final here; FailedPrecondition "pruned at milestone N" once that milestone's
  // proofs are no longer retained; Unavailable while the node is not running.
  virtual Result<v1::DagInclusion> inclusion(std::string id) = 0;
};

}  // namespace itc
