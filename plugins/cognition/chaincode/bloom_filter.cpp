#include "bloom_filter.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "sip_hash.hpp"
#include "sketch_decoding.hpp"

namespace itc::analytics {
namespace {

DoubleHash bloom_probe(std::string_view key) {
  static const SipKey k1 = sketch_key("bloom-1");
  static const SipKey k2 = sketch_key("bloom-2");
  return DoubleHash(k1, k2, key);
}

}  // namespace

BloomFilter::BloomFilter(std::uint64_t bits, std::uint32_t hashes)
    : bits_(bits), hashes_(hashes), bitmap_((bits + 7) / 8, 0) {}

Result<BloomFilter> BloomFilter::create(std::uint64_t bits, std::uint32_t hashes) {
  if (bits < 1 || bits > kMaxBits)
    return Status::InvalidArgument("bits: 1..2^32, got " + std::to_string(bits));
  if (hashes < 1 || hashes > kMaxHashes)
    return Status::InvalidArgument("hashes: 1.." + std::to_string(kMaxHashes) + ", got " +
                                   std::to_string(hashes));
  return BloomFilter(bits, hashes);
}

Result<BloomFilter> BloomFilter::for_keys(std::uint64_t expected_keys, double bits_per_key) {
  if (expected_keys < 1) return Status::InvalidArgument("expected_keys: at least 1, got 0");
  if (!(bits_per_key >= 1 && bits_per_key <= 64))
    return Status::InvalidArgument("bits_per_key: 1..64, got " + std::to_string(bits_per_key));
  const double m = std::ceil(static_cast<double>(expected_keys) * bits_per_key);
  if (m > static_cast<double>(kMaxBits))
    return Status::InvalidArgument("expected_keys: " + std::to_string(expected_keys) + " at " +
                                   std::to_string(bits_per_key) +
                                   " bits per key exceeds 2^32 bits");
  const double k = std::round(m / static_cast<double>(expected_keys) * std::log(2.0));
  return create(static_cast<std::uint64_t>(m),
                static_cast<std::uint32_t>(std::clamp(k, 1.0, double{kMaxHashes})));
}

Result<BloomFilter> BloomFilter::from_proto(const v1::BloomFilterSketch& sketch) {
  auto out = create(sketch.bits(), sketch.hashes());
  if (!out.ok()) return out.status();
  if (sketch.bitmap().size() != out->bitmap_.size())
    return Status::InvalidArgument("bitmap: " + std::to_string(sketch.bits()) + " bits need " +
                                   std::to_string(out->bitmap_.size()) + " bytes, got " +
                                   std::to_string(sketch.bitmap().size()));
  out->bitmap_.assign(sketch.bitmap().begin(), sketch.bitmap().end());
  const unsigned spare = static_cast<unsigned>(out->bitmap_.size() * 8 - sketch.bits());
  if (spare > 0 && (out->bitmap_.back() >> (8 - spare)) != 0)
    return Status::InvalidArgument("bitmap: a bit past the filter's " +
                                   std::to_string(sketch.bits()) + " bits is set");
  out->inserted_ = sketch.inserted();
  return out;
}

Result<BloomFilter> BloomFilter::decode(std::string_view bytes) {
  return decode_sketch<BloomFilter, v1::BloomFilterSketch>(bytes);
}

void BloomFilter::add(std::string_view key) {
  const DoubleHash probe = bloom_probe(key);
  for (std::uint32_t i = 0; i < hashes_; ++i) {
    const std::uint64_t bit = probe.at(i, bits_);
    bitmap_[bit >> 3] = static_cast<std::uint8_t>(bitmap_[bit >> 3] | (1u << (bit & 7)));
  }
  ++inserted_;
}

bool BloomFilter::might_contain(std::string_view key) const {
  const DoubleHash probe = bloom_probe(key);
  for (std::uint32_t i = 0; i < hashes_; ++i) {
    const std::uint64_t bit = probe.at(i, bits_);
    if ((bitmap_[bit >> 3] & (1u << (bit & 7))) == 0) return false;
  }
  return true;
}

double BloomFilter::expected_false_positive_rate() const {
  const double k = hashes_;
  return std::pow(1 - std::exp(-k * static_cast<double>(inserted_) / static_cast<double>(bits_)),
                  k);
}

Status BloomFilter::merge(const BloomFilter& other) {
  if (other.bits_ != bits_ || other.hashes_ != hashes_)
    return Status::InvalidArgument("bits, hashes: cannot merge a filter of " +
                                   std::to_string(other.bits_) + " bits, " +
                                   std::to_string(other.hashes_) + " hashes into one of " +
                                   std::to_string(bits_) + ", " + std::to_string(hashes_));
  for (std::size_t i = 0; i < bitmap_.size(); ++i) bitmap_[i] |= other.bitmap_[i];
  inserted_ += other.inserted_;
  return Status::Ok();
}

v1::BloomFilterSketch BloomFilter::to_proto() const {
  v1::BloomFilterSketch out;
  out.set_bits(bits_);
  out.set_hashes(hashes_);
  out.set_bitmap(std::string(bitmap_.begin(), bitmap_.end()));
  out.set_inserted(inserted_);
  return out;
}

}  // namespace itc::analytics
