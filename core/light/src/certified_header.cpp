// Envelope, certified header and quorum certificate (see certified_header.hpp).
#include "certified_header.hpp"

#include <cstring>

#include "common/validator_set_bytes.hpp"
#include "crypto_port.hpp"

namespace itc::light::internal {
namespace {

constexpr char kBlockDomain[] = "itc-block-v2";    // block_hash in itc/ledger/block_commitments
constexpr char kCommitDomain[] = "itc-commit-v1";  // commit_signing_bytes in itc/ledger/validators
constexpr std::size_t kSignatureEntry = 2 + kSignatureSize;

void put_be(std::uint64_t v, int width, std::uint8_t* out) {
  for (int i = 0; i < width; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * (width - 1 - i)));
}

// Reads the header's fields (the block hash's preimage after its domain) from `h`.
void read_header_fields(wire::Reader& h, Header* out) {
  out->height = h.uint(8);
  h.prefixed_exact(kHashSize);  // prev_hash: hashed, not needed by the client
  out->merkle_root = h.prefixed_exact(kHashSize).data;
  out->timestamp_us = static_cast<std::int64_t>(h.uint(8));
  out->reading_count = static_cast<std::uint32_t>(h.uint(4));
  h.prefixed(kMaxProducer);
  out->view = h.uint(8);
  out->tx_root = h.prefixed_exact(kHashSize).data;
  out->tx_count = static_cast<std::uint32_t>(h.uint(4));
  const std::size_t state_at = h.offset();
  const Bytes state_root = h.prefixed(kHashSize);
  if (!h.failed() && state_root.size != 0 && state_root.size != kHashSize) {
    h.fail(Verdict::kNonCanonical, state_at);
  }
  out->state_root = state_root.size == kHashSize ? state_root.data : nullptr;
  const std::size_t tips_at = h.offset();
  const std::uint64_t tips = h.uint(4);
  if (tips > kMaxMilestoneTips) h.fail(Verdict::kTooLarge, tips_at);
  for (std::uint64_t i = 0; i < tips && !h.failed(); ++i) h.prefixed_exact(kHashSize);
  out->dag_root = nullptr;
  if (tips > 0) out->dag_root = h.prefixed_exact(kHashSize).data;
  out->epoch = 0;
  out->validators_hash = nullptr;
  out->next_validators_hash = nullptr;
  if (!h.at_end()) {  // a header that commits to its validator sets
    out->epoch = h.uint(8);
    out->validators_hash = h.prefixed_exact(kHashSize).data;
    out->next_validators_hash = h.prefixed_exact(kHashSize).data;
  }
  if (!h.failed() && out->height == 0) h.fail(Verdict::kNonCanonical, 0);
  h.expect_end();
}

}  // namespace

void read_envelope(wire::Reader& in, Kind expected, std::size_t total_size) {
  if (total_size > kMaxMessage) in.fail(Verdict::kTooLarge, 0);
  const Bytes magic = in.raw(4);
  if (!in.failed() && std::memcmp(magic.data, kMagic, 4) != 0) in.fail(Verdict::kBadMagic, 0);
  const std::uint64_t version = in.uint(1);
  if (!in.failed() && version != kFormatVersion) in.fail(Verdict::kBadVersion, 4);
  const std::uint64_t kind = in.uint(1);
  if (!in.failed() && kind != static_cast<std::uint8_t>(expected)) in.fail(Verdict::kWrongKind, 5);
}

void read_certified_header(wire::Reader& in, Header* header, QuorumCertificate* qc) {
  const std::size_t header_at = in.offset() + 4;
  const Bytes fields = in.prefixed(kMaxHeader);
  if (in.failed()) return;
  wire::Reader h(fields.data, fields.size);
  read_header_fields(h, header);
  if (h.failed()) {
    in.fail(h.outcome().verdict, header_at + h.outcome().detail);
    return;
  }
  port::Sha256 hash;
  hash.update(reinterpret_cast<const std::uint8_t*>(kBlockDomain), sizeof kBlockDomain - 1);
  hash.update(fields.data, fields.size);
  if (!hash.finish(header->hash)) in.fail(Verdict::kCryptoFailure, header_at);

  qc->view = in.uint(8);
  const std::size_t count_at = in.offset();
  qc->count = static_cast<std::uint32_t>(in.uint(1));
  if (!in.failed() && (qc->count == 0 || qc->count > kMaxValidators)) {
    in.fail(Verdict::kNonCanonical, count_at);
  }
  const std::size_t sigs_at = in.offset();
  qc->signatures = in.raw(qc->count * kSignatureEntry).data;
  // Canonical: validator indexes strictly ascending (so no signer counts twice).
  for (std::uint32_t i = 1; i < qc->count && !in.failed(); ++i) {
    const std::uint8_t* prev = qc->signatures + (i - 1) * kSignatureEntry;
    const std::uint8_t* cur = prev + kSignatureEntry;
    if (((cur[0] << 8) | cur[1]) <= ((prev[0] << 8) | prev[1])) {
      in.fail(Verdict::kNonCanonical, sigs_at + i * kSignatureEntry);
    }
  }
}

bool validator_set_hash(const State& state, std::uint8_t out[kHashSize]) {
  port::Sha256 hash;
  auto sink = [&hash](const std::uint8_t* data, std::size_t size) { hash.update(data, size); };
  validator_set_bytes::put_prefix(state.validator_count, sink);
  for (std::uint32_t i = 0; i < state.validator_count; ++i) {
    validator_set_bytes::put_entry(state.validators[i].public_key, state.validators[i].power, sink);
  }
  return hash.finish(out);
}

Outcome check_epoch(const State& state, const Header& header) {
  if (header.validators_hash == nullptr) return {};
  if (header.epoch != state.epoch) {
    return {Verdict::kWrongEpoch, static_cast<std::uint32_t>(header.epoch)};
  }
  std::uint8_t mine[kHashSize];
  if (!validator_set_hash(state, mine)) return {Verdict::kCryptoFailure, 0};
  if (std::memcmp(mine, header.validators_hash, kHashSize) != 0) {
    return {Verdict::kValidatorSetMismatch, static_cast<std::uint32_t>(header.epoch)};
  }
  return {};
}

Outcome check_quorum(const State& state, const Header& header, const QuorumCertificate& qc) {
  std::uint64_t power = 0;
  for (std::uint32_t i = 0; i < qc.count; ++i) {
    const std::uint8_t* entry = qc.signatures + i * kSignatureEntry;
    const std::uint32_t validator = (static_cast<std::uint32_t>(entry[0]) << 8) | entry[1];
    if (validator >= state.validator_count) return {Verdict::kUnknownValidator, validator};
    power += state.validators[validator].power;
  }
  if (power < quorum_power(state.total_power)) return {Verdict::kTooFewSigners, qc.count};

  // "itc-commit-v1" || len(chain_id) || chain_id || view || height || block_hash
  std::uint8_t signed_bytes[sizeof kCommitDomain - 1 + 4 + kMaxChainId + 8 + 8 + kHashSize];
  std::size_t n = 0;
  std::memcpy(signed_bytes, kCommitDomain, sizeof kCommitDomain - 1);
  n += sizeof kCommitDomain - 1;
  put_be(state.chain_id_len, 4, signed_bytes + n);
  n += 4;
  std::memcpy(signed_bytes + n, state.chain_id, state.chain_id_len);
  n += state.chain_id_len;
  put_be(qc.view, 8, signed_bytes + n);
  n += 8;
  put_be(header.height, 8, signed_bytes + n);
  n += 8;
  std::memcpy(signed_bytes + n, header.hash, kHashSize);
  n += kHashSize;
  for (std::uint32_t i = 0; i < qc.count; ++i) {
    const std::uint8_t* entry = qc.signatures + i * kSignatureEntry;
    const std::uint32_t validator = (static_cast<std::uint32_t>(entry[0]) << 8) | entry[1];
    if (!port::ed25519_verify(state.validators[validator].public_key, signed_bytes, n, entry + 2)) {
      return {Verdict::kBadSignature, validator};
    }
  }
  return {};
}

Outcome relate(const State& state, const Header& header, Use use, bool* newer) {
  *newer = false;
  const TrustedHeader& trusted = state.header;
  const bool have = trusted.height != 0;
  if (!have || header.height > trusted.height) {
    *newer = true;
    return {};
  }
  if (header.height == trusted.height) {
    if (std::memcmp(header.hash, trusted.hash, kHashSize) != 0) {
      return {Verdict::kConflictingHeader, static_cast<std::uint32_t>(header.height)};
    }
    *newer = !trusted.has_roots;  // the checkpoint's own header: learn its roots
    return {};
  }
  if (use == Use::kInclusion) return {};
  return {Verdict::kStaleHeader, static_cast<std::uint32_t>(header.height)};
}

void adopt(State* state, const Header& header) {
  TrustedHeader& t = state->header;
  t.height = header.height;
  t.view = header.view;
  t.timestamp_us = header.timestamp_us;
  std::memcpy(t.hash, header.hash, kHashSize);
  std::memcpy(t.merkle_root, header.merkle_root, kHashSize);
  std::memcpy(t.tx_root, header.tx_root, kHashSize);
  if (header.state_root != nullptr) {
    std::memcpy(t.state_root, header.state_root, kHashSize);
  } else {
    std::memset(t.state_root, 0, kHashSize);
  }
  t.reading_count = header.reading_count;
  t.tx_count = header.tx_count;
  t.has_roots = true;
  state->trusted_time_us = header.timestamp_us;
}

void read_certified(wire::Reader& in, Kind kind, std::size_t size, Header* header,
                    QuorumCertificate* qc) {
  read_envelope(in, kind, size);
  read_certified_header(in, header, qc);
}

Outcome certify(const State& state, const Header& header, const QuorumCertificate& qc, Use use,
                bool* newer) {
  if (!state.initialised) return {Verdict::kNotInitialised, 0};
  if (Outcome o = check_epoch(state, header); !o.ok()) return o;
  if (Outcome o = check_quorum(state, header, qc); !o.ok()) return o;
  return relate(state, header, use, newer);
}

}  // namespace itc::light::internal
