// RFC 6962 Merkle trees over SHA-256: leaf hash SHA-256(0x00 || leaf), node hash
// SHA-256(0x01 || left || right); the root of an empty tree is SHA-256("").
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "itc/export.hpp"

namespace itc::merkle {

ITC_EXPORT std::string leaf_hash(std::string_view leaf);
ITC_EXPORT std::string node_hash(std::string_view left, std::string_view right);

// Root over already-hashed leaves (each 32 bytes).
ITC_EXPORT std::string root_from_leaf_hashes(std::vector<std::string> leaf_hashes);
// Root over raw leaf data.
ITC_EXPORT std::string root(const std::vector<std::string>& leaves);

// Audit path for leaf `index` in a tree of leaf_hashes.size() leaves (RFC 6962 2.1.1).
ITC_EXPORT std::vector<std::string> inclusion_proof(const std::vector<std::string>& leaf_hashes,
                                                    std::uint64_t index);
// The root and every leaf's audit path at once (each as inclusion_proof would give it), in
// O(n log n): for signing a batch whose members each carry their own proof.
struct AllInclusionProofs {
  std::string root;
  std::vector<std::vector<std::string>> paths;  // paths[i] for leaf i
};
ITC_EXPORT AllInclusionProofs all_inclusion_proofs(const std::vector<std::string>& leaf_hashes);
// True iff `proof` proves `leaf_hash` is leaf `index` of a tree of `size` with `root`.
ITC_EXPORT bool verify_inclusion(std::string_view leaf_hash, std::uint64_t index,
                                 std::uint64_t size, const std::vector<std::string>& proof,
                                 std::string_view root);

// Consistency proof that the tree of the first `old_size` leaves is a prefix of the tree
// of all leaf_hashes.size() leaves (RFC 6962 2.1.2). Empty for old_size 0, old_size equal
// to the size, or old_size beyond it.
ITC_EXPORT std::vector<std::string> consistency_proof(const std::vector<std::string>& leaf_hashes,
                                                      std::uint64_t old_size);
// True iff `proof` shows the tree of `old_size` leaves with `old_root` is a prefix of the
// tree of `new_size` leaves with `new_root` (RFC 9162 2.1.4.2). A tree of 0 leaves is a
// prefix of any; equal sizes need equal roots and an empty proof.
ITC_EXPORT bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size,
                                   std::string_view old_root, std::string_view new_root,
                                   const std::vector<std::string>& proof);

}  // namespace itc::merkle
