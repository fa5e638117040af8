// The bytes of a block header that its hash covers (after the "itc-block-v2" domain):
// fixed-width big-endian integers, variable-length fields with a 4-byte length first.
// One definition for block_hash (libitc-sdk) and the light client's header encoding
// (itc_light_prover), which libitc-light hashes as they stand. Internal; not installed.
#pragma once

#include <cstdint>
#include <string>

#include "common/ledger_encoding.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::ledger::internal {

inline void put_block_header_fields(const v1::BlockHeader& h, std::string* out) {
  out->reserve(out->size() + 8 + 4 + 32 + 4 + 32 + 8 + 4 + 4 + h.producer().size() + 8 + 4 + 32 +
               4 + 4 + 32 + 4 + 36 * static_cast<std::size_t>(h.milestone_size()) + 36 + 8 + 36 +
               36);
  put_be(h.height(), 8, out);
  put_len_prefixed(h.prev_hash(), out);
  put_len_prefixed(h.merkle_root(), out);
  put_be(static_cast<std::uint64_t>(h.timestamp_us()), 8, out);
  put_be(h.reading_count(), 4, out);
  put_len_prefixed(h.producer(), out);
  put_be(h.view(), 8, out);
  put_len_prefixed(h.tx_root(), out);
  put_be(h.tx_count(), 4, out);
  put_len_prefixed(h.state_root(), out);
  put_be(static_cast<std::uint64_t>(h.milestone_size()), 4, out);
  for (const auto& tip : h.milestone()) put_len_prefixed(tip, out);
  // Only a header with a milestone has the DAG's root (so older headers hash as before).
  if (h.milestone_size() > 0) put_len_prefixed(h.dag_root(), out);
  // Only a header that commits to its validator sets has them (older headers hash as
  // before): the epoch, the hash of the set signing this block, of the set signing the next.
  if (!h.validators_hash().empty()) {
    put_be(h.epoch(), 8, out);
    put_len_prefixed(h.validators_hash(), out);
    put_len_prefixed(h.next_validators_hash(), out);
  }
}

}  // namespace itc::ledger::internal
