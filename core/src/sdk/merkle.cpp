// RFC 6962 Merkle trees (see itc/merkle.hpp). Inclusion and consistency proofs follow
// RFC 6962 2.1.1 and 2.1.2; their verification follows RFC 9162 2.1.3.2 and 2.1.4.2.
#include "itc/merkle.hpp"

#include "itc/crypto.hpp"

namespace itc::merkle {
namespace {

constexpr char kLeafPrefix = '\x00';
constexpr char kNodePrefix = '\x01';

// Largest power of two strictly smaller than n (n >= 2).
std::uint64_t split_point(std::uint64_t n) {
  std::uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// MTH over leaf_hashes[begin, end), end > begin.
std::string subtree_root(const std::vector<std::string>& leaf_hashes, std::uint64_t begin,
                         std::uint64_t end) {
  if (end - begin == 1) return leaf_hashes[begin];
  std::uint64_t k = split_point(end - begin);
  return node_hash(subtree_root(leaf_hashes, begin, begin + k),
                   subtree_root(leaf_hashes, begin + k, end));
}

// PATH(m, D[begin:end]) appended to `proof`, deepest sibling first.
void audit_path(const std::vector<std::string>& leaf_hashes, std::uint64_t m, std::uint64_t begin,
                std::uint64_t end, std::vector<std::string>* proof) {
  if (end - begin <= 1) return;
  std::uint64_t k = split_point(end - begin);
  if (m < k) {
    audit_path(leaf_hashes, m, begin, begin + k, proof);
    proof->push_back(subtree_root(leaf_hashes, begin + k, end));
  } else {
    audit_path(leaf_hashes, m - k, begin + k, end, proof);
    proof->push_back(subtree_root(leaf_hashes, begin, begin + k));
  }
}

// SUBPROOF(m, D[begin:end], whole) appended to `proof` (RFC 6962 2.1.2): `whole` says
// whether D[begin:begin+m] is the complete old tree, whose root the verifier knows.
void subproof(const std::vector<std::string>& leaf_hashes, std::uint64_t m, std::uint64_t begin,
              std::uint64_t end, bool whole, std::vector<std::string>* proof) {
  const std::uint64_t n = end - begin;
  if (m == n) {
    if (!whole) proof->push_back(subtree_root(leaf_hashes, begin, end));
    return;
  }
  const std::uint64_t k = split_point(n);
  if (m <= k) {
    subproof(leaf_hashes, m, begin, begin + k, whole, proof);
    proof->push_back(subtree_root(leaf_hashes, begin + k, end));
  } else {
    subproof(leaf_hashes, m - k, begin + k, end, false, proof);
    proof->push_back(subtree_root(leaf_hashes, begin, begin + k));
  }
}

}  // namespace

std::string leaf_hash(std::string_view leaf) {
  crypto::Sha256 h;
  h.update(std::string_view(&kLeafPrefix, 1));
  h.update(leaf);
  return h.finish();
}

std::string node_hash(std::string_view left, std::string_view right) {
  std::string buf;
  buf.reserve(1 + left.size() + right.size());
  buf.push_back(kNodePrefix);
  buf.append(left);
  buf.append(right);
  return crypto::sha256(buf);
}

std::string root_from_leaf_hashes(std::vector<std::string> level) {
  if (level.empty()) return crypto::sha256("");
  // Pairing level by level, carrying an odd last node up unchanged, builds the same tree
  // as RFC 6962's split at the largest power of two below n.
  while (level.size() > 1) {
    std::size_t out = 0;
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
      level[out++] = node_hash(level[i], level[i + 1]);
    }
    if (level.size() % 2 == 1) level[out++] = std::move(level.back());
    level.resize(out);
  }
  return std::move(level.front());
}

std::string root(const std::vector<std::string>& leaves) {
  std::vector<std::string> hashes;
  hashes.reserve(leaves.size());
  for (const auto& leaf : leaves) hashes.push_back(leaf_hash(leaf));
  return root_from_leaf_hashes(std::move(hashes));
}

namespace {

// MTH over leaf_hashes[begin, end), appending each leaf's sibling at every level to its
// path on the way up (so each path ends deepest sibling first, as PATH orders it).
std::string root_with_paths(const std::vector<std::string>& leaf_hashes, std::uint64_t begin,
                            std::uint64_t end, std::vector<std::vector<std::string>>* paths) {
  if (end - begin == 1) return leaf_hashes[begin];
  const std::uint64_t k = split_point(end - begin);
  std::string left = root_with_paths(leaf_hashes, begin, begin + k, paths);
  std::string right = root_with_paths(leaf_hashes, begin + k, end, paths);
  for (std::uint64_t i = begin; i < begin + k; ++i) (*paths)[i].push_back(right);
  for (std::uint64_t i = begin + k; i < end; ++i) (*paths)[i].push_back(left);
  return node_hash(left, right);
}

}  // namespace

AllInclusionProofs all_inclusion_proofs(const std::vector<std::string>& leaf_hashes) {
  AllInclusionProofs out;
  out.paths.resize(leaf_hashes.size());
  out.root = leaf_hashes.empty() ? root_from_leaf_hashes({})
                                 : root_with_paths(leaf_hashes, 0, leaf_hashes.size(), &out.paths);
  return out;
}

std::vector<std::string> inclusion_proof(const std::vector<std::string>& leaf_hashes,
                                         std::uint64_t index) {
  std::vector<std::string> proof;
  if (index >= leaf_hashes.size()) return proof;
  audit_path(leaf_hashes, index, 0, leaf_hashes.size(), &proof);
  return proof;
}

bool verify_inclusion(std::string_view leaf_hash, std::uint64_t index, std::uint64_t size,
                      const std::vector<std::string>& proof, std::string_view root) {
  if (index >= size) return false;
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  std::string r(leaf_hash);
  for (const auto& p : proof) {
    if (sn == 0 || p.size() != crypto::kSha256Size) return false;
    if ((fn & 1) == 1 || fn == sn) {
      r = node_hash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

std::vector<std::string> consistency_proof(const std::vector<std::string>& leaf_hashes,
                                           std::uint64_t old_size) {
  std::vector<std::string> proof;
  if (old_size == 0 || old_size >= leaf_hashes.size()) return proof;
  subproof(leaf_hashes, old_size, 0, leaf_hashes.size(), true, &proof);
  return proof;
}

bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, std::string_view old_root,
                        std::string_view new_root, const std::vector<std::string>& proof) {
  if (old_size > new_size) return false;
  if (old_size == 0) return proof.empty();
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (proof.empty()) return false;
  std::vector<std::string> path = proof;
  // An old tree that is a complete subtree is not in the proof: its root is.
  if ((old_size & (old_size - 1)) == 0) path.insert(path.begin(), std::string(old_root));
  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string fr = path[0];
  std::string sr = path[0];
  for (std::size_t i = 1; i < path.size(); ++i) {
    const std::string& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

}  // namespace itc::merkle
