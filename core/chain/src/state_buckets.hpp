// The committed ledger state stored by bucket, with the Merkle tree that gives its root
// (layout in itc/chain/state.hpp): 4096 buckets chosen by the first 12 bits of
// SHA-256(key); a bucket's hash is SHA-256 over its entries in key order; the root is the
// RFC 6962 root over the bucket hashes, kept as a perfect binary tree so a change rehashes
// only the touched buckets and their paths to the root. Internal to libitc-chain.
// Thread safety: none (owned by one LedgerState).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace itc::ledger::internal {

inline constexpr std::size_t kStateBucketBits = 12;
inline constexpr std::size_t kStateBuckets = std::size_t{1} << kStateBucketBits;

// key -> value; in an overlay of writes an empty value deletes the key.
using StateMap = std::map<std::string, std::string>;

std::size_t bucket_of(std::string_view key);

class BucketedState {
 public:
  BucketedState();  // empty state

  const std::string* find(const std::string& key) const;
  // Replaces everything with `entries` (empty values are skipped) and rehashes it all.
  void assign(const StateMap& entries);
  // Applies writes ("" deletes) and rehashes the touched buckets.
  void apply(const StateMap& writes);

  std::string root() const { return tree_[1]; }
  // The root the state would have with `overlays` applied in order (oldest first),
  // without changing it.
  std::string root_with(const std::vector<const StateMap*>& overlays) const;
  std::size_t size() const;
  // Bucket `b`'s entries, and its audit path to root(): the sibling at each level from
  // the bucket's leaf up (kStateBucketBits hashes).
  const StateMap& bucket(std::size_t b) const { return buckets_[b]; }
  std::vector<std::string> audit_path(std::size_t b) const;

 private:
  // Bucket hash of bucket `b` with `changes` (sorted, "" deletes) merged over it.
  std::string bucket_leaf(
      std::size_t b,
      const std::vector<std::pair<const std::string*, const std::string*>>& changes) const;
  // Node hashes that change when the given leaves (tree index -> hash) change, root
  // included; the tree itself is not modified.
  std::map<std::size_t, std::string> recompute(std::map<std::size_t, std::string> leaves) const;

  std::vector<StateMap> buckets_;
  std::vector<std::string> tree_;  // heap layout: [1] root, [kStateBuckets + b] bucket b's leaf
};

}  // namespace itc::ledger::internal
