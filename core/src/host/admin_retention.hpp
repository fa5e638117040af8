// How the admin API answers for blocks a store's retention pruned
// (itc/services/ledger_retention.hpp): 410 Gone with the store's words ("block 7: pruned at
// height 7 (blocks 1..120 are pruned; retention keeps ...)"), and headers and certificates
// of pruned blocks still served from what retention keeps.
// Thread safety: as the admin handlers.
#pragma once

#include <cstdint>

#include "host/admin_server.hpp"
#include "host/node.hpp"
#include "itc/services/ledger_retention.hpp"
#include "itc/services/ledger_store.hpp"

namespace itc::host {

// The running store's retention, nullptr if none provides it.
LedgerRetention* retention_of(Node& node);

// True if block `height` is pruned.
bool is_pruned(Node& node, std::uint64_t height);

// The answer to a failed read of block `height`: 410 Gone if the block is pruned, else
// what admin_error(status) answers.
AdminResponse block_error(Node& node, std::uint64_t height, const Status& status);

// Block `height` with at least its header, hash and qc: the whole block from the store, or
// for a pruned block a v1::Block holding only those (what a header proof needs).
Result<v1::Block> certified_header(Node& node, LedgerStore& store, std::uint64_t height);

}  // namespace itc::host
