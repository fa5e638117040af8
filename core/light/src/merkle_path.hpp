// RFC 6962 hashing as the chain does it (itc/merkle.hpp): leaf SHA-256(0x00 || leaf),
// node SHA-256(0x01 || left || right), and the inclusion check of RFC 9162 2.1.3.2.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace itc::light::internal {

bool leaf_hash(const std::uint8_t* leaf, std::size_t size, std::uint8_t out[32]);
bool node_hash(const std::uint8_t left[32], const std::uint8_t right[32], std::uint8_t out[32]);
// True iff `path` (count hashes of 32 bytes, bottom up) leads from leaf hash `leaf` at
// `index` of a tree of `size` leaves to `root`; a path of the wrong length fails.
bool verify_inclusion(const std::uint8_t leaf[32], std::uint64_t index, std::uint64_t size,
                      const std::uint8_t* path, std::size_t count, const std::uint8_t root[32]);

}  // namespace itc::light::internal
