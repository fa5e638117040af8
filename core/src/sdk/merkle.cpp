// RFC 6962 Merkle trees (see itc/merkle.hpp). Inclusion proofs follow RFC 6962 2.1.1;
// their verification follows RFC 9162 2.1.3.2.
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

}  // namespace itc::merkle
