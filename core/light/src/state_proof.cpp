// State proofs: a key's bucket (all its entries) and the bucket's audit path to the
// header's state_root. The chain's layout (itc/chain/state.hpp): bucket = the first 12
// bits of SHA-256(key); bucket leaf = SHA-256(0x00 || SHA-256(entries)), entries in key
// order as len||key||len||value; the root is over 4096 bucket leaves, a perfect tree of
// height 12. The proof's entry bytes are exactly that encoding, so they are hashed as
// they stand. Absence is sound because the client picks the bucket from the key itself.
#include <cstring>

#include "certified_header.hpp"
#include "crypto_port.hpp"
#include "itc/light/light_client.hpp"
#include "itc/light/state_values.hpp"
#include "merkle_path.hpp"

namespace itc::light {
namespace {

using internal::Header;
using internal::Kind;
using internal::QuorumCertificate;
using internal::Use;

constexpr std::size_t kBucketBits = 12;
constexpr std::size_t kMaxEntries = 4096;
constexpr std::size_t kMaxValue = 4096;

// Negative, zero or positive as std::string's ordering of a and b.
int compare(Bytes a, Bytes b) {
  const std::size_t n = a.size < b.size ? a.size : b.size;
  if (n != 0) {
    if (int c = std::memcmp(a.data, b.data, n); c != 0) return c;
  }
  return a.size < b.size ? -1 : (a.size > b.size ? 1 : 0);
}

}  // namespace

Outcome verify_state(State* state, const std::uint8_t* message, std::size_t size,
                     const std::uint8_t* key, std::size_t key_len, Bytes* value) {
  wire::Reader in(message, size);
  Header header{};
  QuorumCertificate qc{};
  internal::read_certified(in, Kind::kState, size, &header, &qc);
  const std::size_t key_at = in.offset();
  const Bytes proven_key = in.prefixed(kMaxKey);
  const std::size_t count_at = in.offset();
  const std::uint64_t count = in.uint(4);
  if (!in.failed() && count > kMaxEntries) in.fail(Verdict::kTooLarge, count_at);
  const std::size_t entries_at = in.offset();
  Bytes found{nullptr, 0};
  bool present = false;
  Bytes previous{nullptr, 0};
  for (std::uint64_t i = 0; i < count && !in.failed(); ++i) {
    const std::size_t entry_at = in.offset();
    const Bytes k = in.prefixed(kMaxKey);
    const Bytes v = in.prefixed(kMaxValue);
    if (in.failed()) break;
    // Canonical: keys strictly ascending, no empty value (an empty value is not stored).
    if ((i > 0 && compare(previous, k) >= 0) || v.size == 0) {
      in.fail(Verdict::kNonCanonical, entry_at);
      break;
    }
    previous = k;
    if (compare(k, proven_key) == 0) {
      found = v;
      present = true;
    }
  }
  const Bytes entries{in.at(entries_at), in.offset() - entries_at};
  const Bytes path = in.raw(kBucketBits * kHashSize);
  in.expect_end();
  if (in.failed()) return in.outcome();
  if (compare(proven_key, Bytes{key, key_len}) != 0) {
    return {Verdict::kKeyMismatch, static_cast<std::uint32_t>(key_at)};
  }

  bool newer = false;
  if (Outcome o = internal::certify(*state, header, qc, Use::kLatest, &newer); !o.ok()) return o;
  if (header.state_root == nullptr) return {Verdict::kNoRoots, 0};

  std::uint8_t digest[kHashSize];
  port::Sha256 key_hash;
  key_hash.update(key, key_len);
  if (!key_hash.finish(digest)) return {Verdict::kCryptoFailure, 0};
  std::uint32_t index = (static_cast<std::uint32_t>(digest[0]) << 4) | (digest[1] >> 4);
  const std::uint32_t bucket = index;
  port::Sha256 bucket_hash;
  bucket_hash.update(entries.data, entries.size);
  std::uint8_t node[kHashSize];
  if (!bucket_hash.finish(digest) || !internal::leaf_hash(digest, kHashSize, node)) {
    return {Verdict::kCryptoFailure, 0};
  }
  for (std::size_t level = 0; level < kBucketBits; ++level, index >>= 1) {
    const std::uint8_t* sibling = path.data + level * kHashSize;
    const bool ok = (index & 1) != 0 ? internal::node_hash(sibling, node, node)
                                     : internal::node_hash(node, sibling, node);
    if (!ok) return {Verdict::kCryptoFailure, 0};
  }
  if (std::memcmp(node, header.state_root, kHashSize) != 0) {
    return {Verdict::kStateRootMismatch, bucket};
  }
  if (newer) internal::adopt(state, header);
  if (!present) return {Verdict::kAbsent, bucket};
  *value = found;
  return {};
}

}  // namespace itc::light
