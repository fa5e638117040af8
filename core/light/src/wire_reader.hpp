// Reads the proof format's fields (schemas/light-proof-format.md): fixed-width
// big-endian integers, raw fixed-size byte strings and byte strings with a 4-byte
// big-endian length first. Bounds-checked; the first failure sticks (later reads return
// zeros and empty views) and is reported with the offset where it happened.
// Thread safety: one reader per caller.
#pragma once

#include <cstddef>
#include <cstdint>

#include "itc/light/light_client.hpp"

namespace itc::light::wire {

class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  std::uint64_t uint(int width) {
    if (!need(static_cast<std::size_t>(width))) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < width; ++i) v = (v << 8) | data_[pos_ + static_cast<std::size_t>(i)];
    pos_ += static_cast<std::size_t>(width);
    return v;
  }
  // `n` raw bytes.
  Bytes raw(std::size_t n) {
    if (!need(n)) return Bytes{data_, 0};
    Bytes b{data_ + pos_, n};
    pos_ += n;
    return b;
  }
  // A 4-byte length, then that many bytes; the length must be at most `max`.
  Bytes prefixed(std::size_t max) {
    const std::size_t at = pos_;
    const std::uint64_t len = uint(4);
    if (failed()) return Bytes{data_, 0};
    if (len > max) {
      fail(Verdict::kTooLarge, at);
      return Bytes{data_, 0};
    }
    return raw(static_cast<std::size_t>(len));
  }
  // A 4-byte length that must be exactly `n`, then n bytes (a hash or key).
  Bytes prefixed_exact(std::size_t n) {
    const std::size_t at = pos_;
    const std::uint64_t len = uint(4);
    if (!failed() && len != n) fail(Verdict::kNonCanonical, at);
    return failed() ? Bytes{data_, 0} : raw(n);
  }
  // Whether every byte was read (or the reader failed).
  bool at_end() const { return failed() || pos_ == size_; }
  // Fails with kTrailingBytes unless every byte was read.
  void expect_end() {
    if (!failed() && pos_ != size_) fail(Verdict::kTrailingBytes, pos_);
  }
  void fail(Verdict v, std::size_t at) {
    if (failed()) return;
    outcome_ = Outcome{v, static_cast<std::uint32_t>(at)};
  }

  bool failed() const { return outcome_.verdict != Verdict::kOk; }
  Outcome outcome() const { return outcome_; }
  std::size_t offset() const { return pos_; }
  const std::uint8_t* at(std::size_t offset) const { return data_ + offset; }

 private:
  bool need(std::size_t n) {
    if (failed()) return false;
    if (size_ - pos_ < n) {
      fail(Verdict::kTruncated, pos_);
      return false;
    }
    return true;
  }

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  Outcome outcome_;
};

}  // namespace itc::light::wire
