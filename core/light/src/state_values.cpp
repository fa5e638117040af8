// State keys and the hand decoding of itc.v1.Account and itc.v1.DeviceRecord (see
// itc/light/state_values.hpp): protobuf wire format, varints and length-delimited fields.
#include "itc/light/state_values.hpp"

#include <cstring>

namespace itc::light {
namespace {

enum WireType : std::uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

class WireFields {
 public:
  explicit WireFields(Bytes b) : p_(b.data), end_(b.data + b.size) {}

  bool done() const { return p_ == end_; }
  bool varint(std::uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      const std::uint8_t b = *p_++;
      *v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return shift < 63 || b <= 1;
    }
    return false;
  }
  bool bytes(Bytes* out) {
    std::uint64_t len = 0;
    if (!varint(&len) || len > static_cast<std::uint64_t>(end_ - p_)) return false;
    *out = Bytes{p_, static_cast<std::size_t>(len)};
    p_ += len;
    return true;
  }
  bool skip(std::uint32_t type) {
    std::uint64_t v = 0;
    Bytes b{nullptr, 0};
    switch (type) {
      case kVarint:
        return varint(&v);
      case kLengthDelimited:
        return bytes(&b);
      case kFixed64:
        return advance(8);
      case kFixed32:
        return advance(4);
      default:
        return false;
    }
  }

 private:
  bool advance(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

std::size_t prefixed_key(char a, const std::uint8_t* rest, std::size_t len,
                         std::uint8_t out[kMaxKey]) {
  if (len + 2 > kMaxKey) return 0;
  out[0] = static_cast<std::uint8_t>(a);
  out[1] = '/';
  if (len != 0) std::memcpy(out + 2, rest, len);
  return len + 2;
}

}  // namespace

std::size_t account_state_key(const std::uint8_t account[kPublicKeySize],
                              std::uint8_t out[kMaxKey]) {
  return prefixed_key('a', account, kPublicKeySize, out);
}

std::size_t device_state_key(const char* device_id, std::size_t len, std::uint8_t out[kMaxKey]) {
  return prefixed_key('d', reinterpret_cast<const std::uint8_t*>(device_id), len, out);
}

Outcome decode_account(Bytes value, Account* out) {
  Account a{0, 0};
  WireFields in(value);
  while (!in.done()) {
    std::uint64_t tag = 0;
    if (!in.varint(&tag)) return {Verdict::kBadValue, 0};
    const auto field = static_cast<std::uint32_t>(tag >> 3);
    const auto type = static_cast<std::uint32_t>(tag & 7);
    bool ok = false;
    if ((field == 1 || field == 2) && type == kVarint) {
      ok = in.varint(field == 1 ? &a.balance : &a.nonce);
    } else if (field != 1 && field != 2 && field != 0) {
      ok = in.skip(type);
    }
    if (!ok) return {Verdict::kBadValue, field};
  }
  *out = a;
  return {};
}

Outcome decode_device(Bytes value, DeviceRecord* out) {
  DeviceRecord d{};
  WireFields in(value);
  while (!in.done()) {
    std::uint64_t tag = 0;
    if (!in.varint(&tag)) return {Verdict::kBadValue, 0};
    const auto field = static_cast<std::uint32_t>(tag >> 3);
    const auto type = static_cast<std::uint32_t>(tag & 7);
    Bytes* target = field == 1   ? &d.device_id
                    : field == 2 ? &d.profile
                    : field == 3 ? &d.device_public_key
                    : field == 4 ? &d.owner
                                 : nullptr;
    bool ok = false;
    if (target != nullptr) {
      ok = type == kLengthDelimited && in.bytes(target);
    } else if (field == 5) {
      ok = type == kVarint && in.varint(&d.registered_height);
    } else if (field != 0) {
      ok = in.skip(type);
    }
    if (!ok) return {Verdict::kBadValue, field};
  }
  if (d.owner.size != kPublicKeySize) return {Verdict::kBadValue, 4};
  *out = d;
  return {};
}

}  // namespace itc::light
