// RFC 6962 Merkle trees over SHA-256: leaf hash SHA-256(0x00 || leaf), node hash
// SHA-256(0x01 || left || right); the root of an empty tree is SHA-256("").
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace itc::merkle {

std::string leaf_hash(std::string_view leaf);
std::string node_hash(std::string_view left, std::string_view right);

// Root over already-hashed leaves (each 32 bytes).
std::string root_from_leaf_hashes(std::vector<std::string> leaf_hashes);
// Root over raw leaf data.
std::string root(const std::vector<std::string>& leaves);

// Audit path for leaf `index` in a tree of leaf_hashes.size() leaves (RFC 6962 2.1.1).
std::vector<std::string> inclusion_proof(const std::vector<std::string>& leaf_hashes,
                                         std::uint64_t index);
// True iff `proof` proves `leaf_hash` is leaf `index` of a tree of `size` with `root`.
bool verify_inclusion(std::string_view leaf_hash, std::uint64_t index, std::uint64_t size,
                      const std::vector<std::string>& proof, std::string_view root);

}  // namespace itc::merkle
