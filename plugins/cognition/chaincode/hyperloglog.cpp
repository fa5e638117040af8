#include "hyperloglog.hpp"

#include <bit>
#include <cmath>
#include <string>

#include "sip_hash.hpp"
#include "sketch_decoding.hpp"

namespace itc::analytics {
namespace {

const SipKey& hll_key() {
  static const SipKey key = sketch_key("hll");
  return key;
}

}  // namespace

HyperLogLog::HyperLogLog(int precision)
    : precision_(precision), registers_(std::size_t{1} << precision, 0) {}

Result<HyperLogLog> HyperLogLog::create(int precision) {
  if (precision < kMinPrecision || precision > kMaxPrecision)
    return Status::InvalidArgument("precision: " + std::to_string(kMinPrecision) + ".." +
                                   std::to_string(kMaxPrecision) + ", got " +
                                   std::to_string(precision));
  return HyperLogLog(precision);
}

Result<HyperLogLog> HyperLogLog::from_proto(const v1::HyperLogLogSketch& sketch) {
  if (sketch.precision() < kMinPrecision || sketch.precision() > kMaxPrecision)
    return Status::InvalidArgument("precision: " + std::to_string(kMinPrecision) + ".." +
                                   std::to_string(kMaxPrecision) + ", got " +
                                   std::to_string(sketch.precision()));
  const int p = static_cast<int>(sketch.precision());
  HyperLogLog out(p);
  if (sketch.registers().size() != out.registers_.size())
    return Status::InvalidArgument("registers: precision " + std::to_string(p) + " needs " +
                                   std::to_string(out.registers_.size()) + " registers, got " +
                                   std::to_string(sketch.registers().size()));
  const int max_rank = 65 - p;
  for (std::size_t j = 0; j < out.registers_.size(); ++j) {
    const auto r = static_cast<std::uint8_t>(sketch.registers()[j]);
    if (r > max_rank)
      return Status::InvalidArgument("registers[" + std::to_string(j) + "]: " + std::to_string(r) +
                                     " exceeds the largest rank " + std::to_string(max_rank));
    out.registers_[j] = r;
  }
  return out;
}

Result<HyperLogLog> HyperLogLog::decode(std::string_view bytes) {
  return decode_sketch<HyperLogLog, v1::HyperLogLogSketch>(bytes);
}

void HyperLogLog::add(std::string_view key) { add_hash(sip_hash(hll_key(), key)); }

void HyperLogLog::add_hash(std::uint64_t hash) {
  const std::size_t index = hash >> (64 - precision_);
  const std::uint64_t rest = hash << precision_;
  // The rank of the bits after the index: leading zeros + 1, or all of them + 1.
  const auto rank =
      static_cast<std::uint8_t>(rest == 0 ? 65 - precision_ : std::countl_zero(rest) + 1);
  if (rank > registers_[index]) registers_[index] = rank;
}

double HyperLogLog::estimate() const {
  const double m = static_cast<double>(registers_.size());
  double harmonic = 0;
  std::size_t zeros = 0;
  for (const std::uint8_t r : registers_) {
    harmonic += std::ldexp(1.0, -r);
    zeros += r == 0 ? 1 : 0;
  }
  double alpha = 0.7213 / (1 + 1.079 / m);
  if (registers_.size() == 16) alpha = 0.673;
  if (registers_.size() == 32) alpha = 0.697;
  if (registers_.size() == 64) alpha = 0.709;
  const double raw = alpha * m * m / harmonic;
  if (raw <= 2.5 * m && zeros > 0) return m * std::log(m / static_cast<double>(zeros));
  return raw;
}

Status HyperLogLog::merge(const HyperLogLog& other) {
  if (other.precision_ != precision_)
    return Status::InvalidArgument("precision: cannot merge a sketch of precision " +
                                   std::to_string(other.precision_) + " into one of " +
                                   std::to_string(precision_));
  for (std::size_t j = 0; j < registers_.size(); ++j)
    if (other.registers_[j] > registers_[j]) registers_[j] = other.registers_[j];
  return Status::Ok();
}

double HyperLogLog::standard_error() const {
  return 1.04 / std::sqrt(static_cast<double>(registers_.size()));
}

v1::HyperLogLogSketch HyperLogLog::to_proto() const {
  v1::HyperLogLogSketch out;
  out.set_precision(static_cast<std::uint32_t>(precision_));
  out.set_registers(std::string(registers_.begin(), registers_.end()));
  return out;
}

}  // namespace itc::analytics
