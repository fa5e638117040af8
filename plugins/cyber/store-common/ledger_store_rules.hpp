// The rules every LedgerStore backend applies before it writes, and the words of its
// refusals, so store-sqlite and store-postgres refuse the same blocks with the same kinds
// of messages ("block 3: height must be 2 (head is 1)").
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::store_common {

// 32 zero bytes: the prev_hash of the first block.
const std::string& zero_hash();

// "1a2b3c4d…" for messages: enough to tell hashes apart, short enough to read.
std::string short_hex(std::string_view bytes);

// "block 7".
std::string block_label(std::uint64_t height);

// Earliest reading sample time in `block`, 0 for a block without readings.
std::int64_t oldest_sample_us(const v1::Block& block);

// What append() checks before touching storage: verify_block (Corruption naming the block
// and the mismatch) and the delta's keys (InvalidArgument naming the entry).
Status check_block_and_delta(const v1::Block& block, const v1::StateDelta& delta);

// Checks that `block` extends the stored head (height `head_height`, hash `head_hash`;
// 0 and empty for an empty ledger). FailedPrecondition naming the block and the mismatch.
Status check_link(const v1::Block& block, std::uint64_t head_height, std::string_view head_hash);

// What open() checks of the stored head: it is `height`, verifies, its hash columns agree
// with its body, and it links to `below_hash` (the hash of block height-1; ignored for
// height 1, where prev_hash must be 32 zero bytes). Corruption naming what failed.
Status check_stored_head(const v1::Block& head, std::uint64_t height, std::string_view hash_column,
                         std::string_view prev_hash_column, std::string_view below_hash);

// What a block read back must satisfy before it is served: it is the block at `height` and
// still verifies (a modified body is reported, never served). Corruption otherwise.
Status check_read_block(const v1::Block& block, std::uint64_t height);

// The head summary head() returns for a committed block.
v1::BlockCommitted committed_summary(const v1::Block& block, std::int64_t committed_at_us,
                                     std::int64_t oldest_sample_us);

}  // namespace itc::store_common
