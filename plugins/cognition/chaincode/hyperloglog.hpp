// HyperLogLog (Flajolet, Fusy, Gandouet, Meunier 2007) with a 64-bit hash (SipHash-2-4
// under sketch_key("hll")): distinct counts in 2^p one-byte registers, relative standard
// error 1.04/sqrt(2^p) (0.81% at p = 14, Redis's anchor). Estimator: the raw harmonic mean
// with alpha_m, and linear counting m·ln(m/V) while it is <= 2.5·m and V registers are
// zero; no large-range correction is needed with 64 hash bits. Mergeable by register max:
// the merge of sketches of two sets is the sketch of their union, bit for bit.
// Thread safety: a sketch is a value; const methods may run concurrently.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/analytics.pb.h"

namespace itc::analytics {

class HyperLogLog {
 public:
  static constexpr int kPrecision = 14;  // 16,384 registers
  static constexpr int kMinPrecision = 4;
  static constexpr int kMaxPrecision = 18;

  // InvalidArgument "precision: ..." outside kMinPrecision..kMaxPrecision.
  static Result<HyperLogLog> create(int precision = kPrecision);
  // Strict: InvalidArgument naming the field for a precision out of range, a register
  // count other than 2^precision, or a register above 65 - precision.
  static Result<HyperLogLog> from_proto(const v1::HyperLogLogSketch& sketch);
  // Bytes that do not parse as a HyperLogLogSketch are refused too.
  static Result<HyperLogLog> decode(std::string_view bytes);

  void add(std::string_view key);
  void add_hash(std::uint64_t hash);
  double estimate() const;
  // InvalidArgument unless both have the same precision; `this` is unchanged then.
  Status merge(const HyperLogLog& other);

  int precision() const { return precision_; }
  double standard_error() const;  // 1.04 / sqrt(2^precision)
  const std::vector<std::uint8_t>& registers() const { return registers_; }
  v1::HyperLogLogSketch to_proto() const;
  bool operator==(const HyperLogLog&) const = default;

 private:
  explicit HyperLogLog(int precision);
  int precision_;
  std::vector<std::uint8_t> registers_;
};

}  // namespace itc::analytics
