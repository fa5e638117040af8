// Bucketed state and its Merkle root (see state_buckets.hpp).
#include "state_buckets.hpp"

#include <optional>
#include <utility>

#include "common/ledger_encoding.hpp"
#include "itc/crypto.hpp"
#include "itc/merkle.hpp"

namespace itc::ledger::internal {
namespace {

using Change = std::pair<const std::string*, const std::string*>;  // key, value ("" deletes)

void put_entry(std::string_view key, std::string_view value, std::string* out) {
  put_len_prefixed(key, out);
  put_len_prefixed(value, out);
}

}  // namespace

std::size_t bucket_of(std::string_view key) {
  const std::string h = crypto::sha256(key);
  return (static_cast<std::size_t>(static_cast<unsigned char>(h[0])) << 4) |
         (static_cast<unsigned char>(h[1]) >> 4);
}

BucketedState::BucketedState() : buckets_(kStateBuckets) { assign({}); }

const std::string* BucketedState::find(const std::string& key) const {
  const StateMap& bucket = buckets_[bucket_of(key)];
  auto it = bucket.find(key);
  return it == bucket.end() ? nullptr : &it->second;
}

std::size_t BucketedState::size() const {
  std::size_t n = 0;
  for (const StateMap& b : buckets_) n += b.size();
  return n;
}

std::vector<std::string> BucketedState::audit_path(std::size_t b) const {
  std::vector<std::string> path;
  path.reserve(kStateBucketBits);
  for (std::size_t i = kStateBuckets + b; i > 1; i /= 2) path.push_back(tree_[i ^ 1]);
  return path;
}

std::string BucketedState::bucket_leaf(std::size_t b, const std::vector<Change>& changes) const {
  const StateMap& base = buckets_[b];
  std::string bytes;
  auto it = base.begin();
  auto ch = changes.begin();
  while (it != base.end() || ch != changes.end()) {
    if (ch == changes.end() || (it != base.end() && it->first < *ch->first)) {
      put_entry(it->first, it->second, &bytes);
      ++it;
      continue;
    }
    if (it != base.end() && it->first == *ch->first) ++it;  // overwritten or deleted
    if (!ch->second->empty()) put_entry(*ch->first, *ch->second, &bytes);
    ++ch;
  }
  return merkle::leaf_hash(crypto::sha256(bytes));
}

std::map<std::size_t, std::string> BucketedState::recompute(
    std::map<std::size_t, std::string> level) const {
  std::map<std::size_t, std::string> changed;
  while (!level.empty() && level.begin()->first > 1) {
    std::map<std::size_t, std::string> parents;
    for (const auto& [index, hash] : level) {
      const std::size_t parent = index / 2;
      if (parents.count(parent)) continue;
      const std::size_t left = parent * 2;
      auto hash_of = [&](std::size_t i) -> const std::string& {
        auto it = level.find(i);
        return it != level.end() ? it->second : tree_[i];
      };
      parents.emplace(parent, merkle::node_hash(hash_of(left), hash_of(left + 1)));
    }
    changed.merge(level);
    level = std::move(parents);
  }
  changed.merge(level);
  return changed;
}

void BucketedState::assign(const StateMap& entries) {
  std::vector<StateMap> buckets(kStateBuckets);
  for (const auto& [key, value] : entries) {
    if (!value.empty()) buckets[bucket_of(key)].emplace(key, value);
  }
  buckets_ = std::move(buckets);
  // Every empty bucket has the same leaf, and every node over two empty subtrees of a
  // level the same hash: those are hashed once per level, not once per node (a state with
  // a few entries, like a genesis, costs a few dozen hashes instead of 8191).
  tree_.assign(2 * kStateBuckets, std::string());
  std::optional<std::string> empty;  // an empty subtree's hash at the level being read
  for (std::size_t b = 0; b < kStateBuckets; ++b) {
    if (!buckets_[b].empty()) {
      tree_[kStateBuckets + b] = bucket_leaf(b, {});
    } else {
      if (!empty) empty = bucket_leaf(b, {});
      tree_[kStateBuckets + b] = *empty;
    }
  }
  std::optional<std::string> empty_parent;
  if (empty) empty_parent = merkle::node_hash(*empty, *empty);
  for (std::size_t i = kStateBuckets - 1, level_start = kStateBuckets / 2; i >= 1; --i) {
    if (i < level_start && empty) {  // one level up: its empty subtree is one level taller
      empty = std::exchange(*empty_parent, merkle::node_hash(*empty_parent, *empty_parent));
      level_start /= 2;
    }
    const bool both_empty = empty && tree_[2 * i] == *empty && tree_[2 * i + 1] == *empty;
    tree_[i] = both_empty ? *empty_parent : merkle::node_hash(tree_[2 * i], tree_[2 * i + 1]);
  }
}

void BucketedState::apply(const StateMap& writes) {
  std::map<std::size_t, std::string> leaves;
  for (const auto& [key, value] : writes) {
    const std::size_t b = bucket_of(key);
    if (value.empty()) {
      buckets_[b].erase(key);
    } else {
      buckets_[b].insert_or_assign(key, value);
    }
    leaves[kStateBuckets + b];
  }
  for (auto& [index, hash] : leaves) hash = bucket_leaf(index - kStateBuckets, {});
  for (auto& [index, hash] : recompute(std::move(leaves))) tree_[index] = std::move(hash);
}

std::string BucketedState::root_with(const std::vector<const StateMap*>& overlays) const {
  // Newest write of each key, in key order.
  std::map<std::string_view, Change> merged;
  for (const StateMap* overlay : overlays) {
    for (const auto& [key, value] : *overlay) merged.insert_or_assign(key, Change{&key, &value});
  }
  if (merged.empty()) return root();
  std::map<std::size_t, std::vector<Change>> by_bucket;
  for (const auto& [key, change] : merged) by_bucket[bucket_of(key)].push_back(change);
  std::map<std::size_t, std::string> leaves;
  for (const auto& [b, changes] : by_bucket) leaves[kStateBuckets + b] = bucket_leaf(b, changes);
  return recompute(std::move(leaves)).at(1);
}

}  // namespace itc::ledger::internal
