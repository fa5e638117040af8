// What a fault test checks on a LocalNetwork once the faults stop: that the validators
// agree (one head: height, block hash and state root) and that nothing acknowledged was
// lost (every transaction answered "committed at height h" is in block h, on every
// validator), nor ordered twice. Reads the chain through the admin API, as a user would.
// Not thread-safe: the test's thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "local_network.hpp"

namespace itc::testing {

struct ChainHead {
  std::uint64_t height = 0;
  std::string hash;
  std::string state_root;
  bool operator==(const ChainHead&) const = default;
};

// Validator i's head (nullopt if it does not answer or has no block).
std::optional<ChainHead> chain_head(LocalNetwork& net, int i);

// Waits until every validator in `nodes` reports the same head; that head, or nullopt
// (with what each reported in `detail`) after `timeout_ms`.
std::optional<ChainHead> agreed_head(LocalNetwork& net, const std::vector<int>& nodes,
                                     int timeout_ms, std::string* detail);

// What validator i lacks of `acknowledged` (tx id -> height): one line per transaction
// not in the block at its height (or a block it cannot serve); empty if none.
std::string missing_acknowledged(LocalNetwork& net, int i,
                                 const std::map<std::string, std::uint64_t>& acknowledged);

// Transactions in more than one block among heights 1..up_to of validator i (an error for
// each; a block it cannot serve counts as an error too); empty if none. With `ids`, the
// transactions of those blocks are also returned there (tx id -> height).
std::string ordered_twice(LocalNetwork& net, int i, std::uint64_t up_to,
                          std::map<std::string, std::uint64_t>* ids = nullptr);

}  // namespace itc::testing
