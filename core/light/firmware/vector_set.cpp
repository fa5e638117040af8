// The vector file's reader (see vector_set.hpp).
#include "vector_set.hpp"

#include <cstring>

namespace itc::light::vectors {
namespace {

// A bounds-checked big-endian cursor over one record.
class Cursor {
 public:
  Cursor(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool failed() const { return failed_; }
  std::size_t offset() const { return at_; }
  std::size_t left() const { return size_ - at_; }

  std::uint64_t number(std::size_t width) {
    if (!has(width)) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) v = (v << 8) | data_[at_ + i];
    at_ += width;
    return v;
  }
  Bytes bytes(std::size_t n) {
    if (!has(n)) return Bytes{nullptr, 0};
    Bytes b{data_ + at_, n};
    at_ += n;
    return b;
  }

 private:
  bool has(std::size_t n) {
    if (failed_ || n > size_ - at_) failed_ = true;
    return !failed_;
  }
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
  bool failed_ = false;
};

}  // namespace

Outcome check_file_header(const std::uint8_t* bytes, std::size_t size) {
  if (size < kFileHeaderBytes) return Outcome{Verdict::kTruncated, 0};
  if (std::memcmp(bytes, kFileMagic, sizeof kFileMagic) != 0) return Outcome{Verdict::kBadMagic, 0};
  if (bytes[4] != kFileVersion) return Outcome{Verdict::kBadVersion, 4};
  return Outcome{};
}

Outcome read_vector(const std::uint8_t* record, std::size_t size, Vector* out) {
  Cursor c(record, size);
  Vector v{};
  const auto kind = static_cast<std::uint8_t>(c.number(1));
  if (!c.failed() && kind != static_cast<std::uint8_t>(VectorKind::kHeaderUpdate) &&
      kind != static_cast<std::uint8_t>(VectorKind::kCommand)) {
    return Outcome{Verdict::kWrongKind, 0};
  }
  v.kind = static_cast<VectorKind>(kind);
  v.name = c.bytes(c.number(1));
  v.state = c.bytes(c.number(2));
  v.message = c.bytes(c.number(4));
  v.device_id = c.bytes(c.number(1));
  v.signer = c.bytes(kPublicKeySize).data;
  v.signature = c.bytes(kSignatureSize).data;
  v.signed_bytes = c.bytes(c.number(2));
  v.now_us = static_cast<std::int64_t>(c.number(8));
  v.max_header_age_us = static_cast<std::int64_t>(c.number(8));
  if (c.failed()) return Outcome{Verdict::kTruncated, static_cast<std::uint32_t>(c.offset())};
  if (c.left() != 0)
    return Outcome{Verdict::kTrailingBytes, static_cast<std::uint32_t>(c.offset())};
  *out = v;
  return Outcome{};
}

}  // namespace itc::light::vectors
