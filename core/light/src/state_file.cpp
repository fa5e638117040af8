// State to bytes and back (see itc/light/state_file.hpp).
#include "itc/light/state_file.hpp"

#include <cstring>

#include "wire_reader.hpp"

namespace itc::light {
namespace {

constexpr std::uint8_t kStateMagic[4] = {'I', 'T', 'C', 'S'};
constexpr std::uint8_t kStateVersion = 2;  // 2 adds the trusting period; 1 is still read

class Writer {
 public:
  Writer(std::uint8_t* out, std::size_t cap) : out_(out), cap_(cap) {}
  void uint(std::uint64_t v, int width) {
    if (!room(static_cast<std::size_t>(width))) return;
    for (int i = 0; i < width; ++i)
      out_[n_++] = static_cast<std::uint8_t>(v >> (8 * (width - 1 - i)));
  }
  void raw(const void* data, std::size_t size) {
    if (!room(size)) return;
    std::memcpy(out_ + n_, data, size);
    n_ += size;
  }
  std::size_t size() const { return full_ ? 0 : n_; }

 private:
  bool room(std::size_t n) {
    if (full_ || cap_ - n_ < n) full_ = true;
    return !full_;
  }
  std::uint8_t* out_;
  std::size_t cap_;
  std::size_t n_ = 0;
  bool full_ = false;
};

}  // namespace

std::size_t encode_state(const State& s, std::uint8_t* out, std::size_t capacity) {
  if (!s.initialised) return 0;
  Writer w(out, capacity);
  w.raw(kStateMagic, 4);
  w.uint(kStateVersion, 1);
  w.uint(s.chain_id_len, 1);
  w.raw(s.chain_id, s.chain_id_len);
  w.uint(s.epoch, 8);
  w.uint(s.validator_count, 1);
  for (std::uint32_t i = 0; i < s.validator_count; ++i) {
    w.raw(s.validators[i].public_key, kPublicKeySize);
    w.uint(s.validators[i].power, 8);
  }
  const TrustedHeader& h = s.header;
  w.uint(h.height, 8);
  w.uint(h.view, 8);
  w.uint(static_cast<std::uint64_t>(h.timestamp_us), 8);
  w.raw(h.hash, kHashSize);
  w.raw(h.merkle_root, kHashSize);
  w.raw(h.tx_root, kHashSize);
  w.raw(h.state_root, kHashSize);
  w.uint(h.reading_count, 4);
  w.uint(h.tx_count, 4);
  w.uint(h.has_roots ? 1 : 0, 1);
  w.uint(s.trust_period_us, 8);
  w.uint(static_cast<std::uint64_t>(s.trusted_time_us), 8);
  return w.size();
}

Outcome decode_state(const std::uint8_t* bytes, std::size_t size, State* out) {
  wire::Reader in(bytes, size);
  State s;
  std::memset(&s, 0, sizeof s);
  const Bytes magic = in.raw(4);
  if (!in.failed() && std::memcmp(magic.data, kStateMagic, 4) != 0) in.fail(Verdict::kBadMagic, 0);
  const std::uint64_t version = in.uint(1);
  if (!in.failed() && version != kStateVersion && version != 1) in.fail(Verdict::kBadVersion, 4);
  s.chain_id_len = static_cast<std::uint8_t>(in.uint(1));
  if (!in.failed() && (s.chain_id_len == 0 || s.chain_id_len > kMaxChainId)) {
    in.fail(Verdict::kNonCanonical, 5);
  }
  const Bytes chain = in.raw(s.chain_id_len);
  if (!in.failed()) std::memcpy(s.chain_id, chain.data, chain.size);
  s.epoch = in.uint(8);
  const std::size_t count_at = in.offset();
  s.validator_count = static_cast<std::uint32_t>(in.uint(1));
  if (!in.failed() && (s.validator_count == 0 || s.validator_count > kMaxValidators)) {
    in.fail(Verdict::kBadValidatorSet, count_at);
  }
  for (std::uint32_t i = 0; i < s.validator_count && !in.failed(); ++i) {
    const Bytes key = in.raw(kPublicKeySize);
    const std::uint64_t power = in.uint(8);
    if (in.failed()) break;
    std::memcpy(s.validators[i].public_key, key.data, kPublicKeySize);
    s.validators[i].power = power;
  }
  TrustedHeader& h = s.header;
  h.height = in.uint(8);
  h.view = in.uint(8);
  h.timestamp_us = static_cast<std::int64_t>(in.uint(8));
  std::uint8_t* hashes[] = {h.hash, h.merkle_root, h.tx_root, h.state_root};
  for (std::uint8_t* target : hashes) {
    const Bytes b = in.raw(kHashSize);
    if (!in.failed()) std::memcpy(target, b.data, kHashSize);
  }
  h.reading_count = static_cast<std::uint32_t>(in.uint(4));
  h.tx_count = static_cast<std::uint32_t>(in.uint(4));
  const std::size_t flag_at = in.offset();
  const std::uint64_t has_roots = in.uint(1);
  if (!in.failed() && has_roots > 1) in.fail(Verdict::kNonCanonical, flag_at);
  h.has_roots = has_roots == 1;
  if (version >= 2) {
    s.trust_period_us = in.uint(8);
    s.trusted_time_us = static_cast<std::int64_t>(in.uint(8));
  }
  in.expect_end();
  if (in.failed()) return in.outcome();
  // The trust root passes the checks init_from_genesis makes (no repeated key, ...).
  State checked;
  if (Outcome o =
          init_from_genesis(&checked, s.chain_id, s.chain_id_len, s.validators, s.validator_count);
      !o.ok()) {
    return o;
  }
  checked.epoch = s.epoch;
  checked.header = s.header;
  checked.trust_period_us = s.trust_period_us;
  checked.trusted_time_us = s.trusted_time_us;
  *out = checked;
  return {};
}

}  // namespace itc::light
