#include "count_min.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>

#include "sip_hash.hpp"
#include "sketch_decoding.hpp"

namespace itc::analytics {
namespace {

DoubleHash columns_of(std::string_view key) {
  static const SipKey k1 = sketch_key("cms-1");
  static const SipKey k2 = sketch_key("cms-2");
  return DoubleHash(k1, k2, key);
}

bool largest_first(const HeavyHitter& a, const HeavyHitter& b) {
  return a.estimate != b.estimate ? a.estimate > b.estimate : a.key < b.key;
}

}  // namespace

CountMinSketch::CountMinSketch(std::uint32_t width, std::uint32_t depth, std::uint32_t top_k)
    : width_(width),
      depth_(depth),
      top_k_(top_k),
      counters_(static_cast<std::size_t>(width) * depth, 0) {}

Result<CountMinSketch> CountMinSketch::create(std::uint32_t width, std::uint32_t depth,
                                              std::uint32_t top_k) {
  if (width < 1 || width > kMaxWidth)
    return Status::InvalidArgument("width: 1..2^24, got " + std::to_string(width));
  if (depth < 1 || depth > kMaxDepth)
    return Status::InvalidArgument("depth: 1.." + std::to_string(kMaxDepth) + ", got " +
                                   std::to_string(depth));
  if (top_k > kMaxTopK)
    return Status::InvalidArgument("top_k: 0.." + std::to_string(kMaxTopK) + ", got " +
                                   std::to_string(top_k));
  return CountMinSketch(width, depth, top_k);
}

Result<CountMinSketch> CountMinSketch::for_error(double epsilon, double delta,
                                                 std::uint32_t top_k) {
  if (!(epsilon > 0 && epsilon < 1))
    return Status::InvalidArgument("epsilon: in (0, 1), got " + std::to_string(epsilon));
  if (!(delta > 0 && delta < 1))
    return Status::InvalidArgument("delta: in (0, 1), got " + std::to_string(delta));
  const double w = std::ceil(std::numbers::e / epsilon);
  const double d = std::ceil(std::log(1 / delta));
  if (w > kMaxWidth) return Status::InvalidArgument("epsilon: needs more than 2^24 columns");
  if (d > kMaxDepth) return Status::InvalidArgument("delta: needs more than 32 rows");
  return create(static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(std::max(d, 1.0)), top_k);
}

Result<CountMinSketch> CountMinSketch::from_proto(const v1::CountMinSketch& sketch) {
  auto out = create(sketch.width(), sketch.depth(), sketch.top_k());
  if (!out.ok()) return out.status();
  if (static_cast<std::size_t>(sketch.counters_size()) != out->counters_.size())
    return Status::InvalidArgument("counters: " + std::to_string(sketch.width()) + " x " +
                                   std::to_string(sketch.depth()) + " needs " +
                                   std::to_string(out->counters_.size()) + ", got " +
                                   std::to_string(sketch.counters_size()));
  out->counters_.assign(sketch.counters().begin(), sketch.counters().end());
  out->total_ = sketch.total();
  for (std::uint32_t row = 0; row < out->depth_; ++row) {
    std::uint64_t sum = 0;
    bool overflow = false;
    for (std::uint32_t col = 0; col < out->width_; ++col)
      overflow |= __builtin_add_overflow(
          sum, out->counters_[static_cast<std::size_t>(row) * out->width_ + col], &sum);
    if (overflow || sum != out->total_)
      return Status::InvalidArgument("counters: row " + std::to_string(row) +
                                     " does not add up to total " + std::to_string(out->total_));
  }
  if (static_cast<std::uint32_t>(sketch.heavy_hitters_size()) > out->top_k_)
    return Status::InvalidArgument("heavy_hitters: at most top_k = " + std::to_string(out->top_k_) +
                                   ", got " + std::to_string(sketch.heavy_hitters_size()));
  for (int i = 0; i < sketch.heavy_hitters_size(); ++i) {
    const auto& h = sketch.heavy_hitters(i);
    const std::string field = "heavy_hitters[" + std::to_string(i) + "]";
    if (h.key().size() > kMaxKeyBytes)
      return Status::InvalidArgument(field + ".key: at most " + std::to_string(kMaxKeyBytes) +
                                     " bytes");
    if (h.estimate() > out->estimate(h.key()))
      return Status::InvalidArgument(field + ".estimate: " + std::to_string(h.estimate()) +
                                     " exceeds what the counters allow");
    if (!out->candidates_.emplace(h.key(), h.estimate()).second)
      return Status::InvalidArgument(field + ".key: repeated");
  }
  out->smallest_candidate_ = 0;
  if (out->candidates_.size() == out->top_k_ && !out->candidates_.empty()) {
    out->smallest_candidate_ = UINT64_MAX;
    for (const auto& [k, e] : out->candidates_)
      out->smallest_candidate_ = std::min(out->smallest_candidate_, e);
  }
  return out;
}

Result<CountMinSketch> CountMinSketch::decode(std::string_view bytes) {
  return decode_sketch<CountMinSketch, v1::CountMinSketch>(bytes);
}

Status CountMinSketch::add(std::string_view key, std::uint64_t count) {
  if (key.size() > kMaxKeyBytes)
    return Status::InvalidArgument("key: at most " + std::to_string(kMaxKeyBytes) + " bytes, got " +
                                   std::to_string(key.size()));
  std::uint64_t total = 0;
  if (__builtin_add_overflow(total_, count, &total))
    return Status::InvalidArgument("count: the sketch's total would overflow 64 bits");
  total_ = total;
  const DoubleHash columns = columns_of(key);
  std::uint64_t estimate = UINT64_MAX;
  for (std::uint32_t row = 0; row < depth_; ++row) {
    auto& c = counters_[static_cast<std::size_t>(row) * width_ +
                        static_cast<std::size_t>(columns.at(row, width_))];
    c += count;  // never overflows: c <= total_
    estimate = std::min(estimate, c);
  }
  if (top_k_ > 0) offer(std::string(key), estimate);
  return Status::Ok();
}

void CountMinSketch::offer(const std::string& key, std::uint64_t estimate) {
  auto it = candidates_.find(key);
  const bool full = candidates_.size() == top_k_;
  if (it != candidates_.end()) {
    const bool was_smallest = it->second == smallest_candidate_;
    it->second = estimate;
    if (!full || !was_smallest) return;
  } else if (!full) {
    candidates_.emplace(key, estimate);
    if (candidates_.size() < top_k_) return;
  } else {
    if (estimate <= smallest_candidate_) return;
    auto smallest =
        std::min_element(candidates_.begin(), candidates_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    candidates_.erase(smallest);
    candidates_.emplace(key, estimate);
  }
  smallest_candidate_ = UINT64_MAX;
  for (const auto& [k, e] : candidates_) smallest_candidate_ = std::min(smallest_candidate_, e);
}

std::uint64_t CountMinSketch::estimate(std::string_view key) const {
  const DoubleHash columns = columns_of(key);
  std::uint64_t estimate = UINT64_MAX;
  for (std::uint32_t row = 0; row < depth_; ++row)
    estimate = std::min(estimate, counters_[static_cast<std::size_t>(row) * width_ +
                                            static_cast<std::size_t>(columns.at(row, width_))]);
  return estimate;
}

std::vector<HeavyHitter> CountMinSketch::heavy_hitters() const {
  std::vector<HeavyHitter> out;
  out.reserve(candidates_.size());
  for (const auto& [key, at_last_add] : candidates_) out.push_back({key, estimate(key)});
  std::sort(out.begin(), out.end(), largest_first);
  return out;
}

Status CountMinSketch::merge(const CountMinSketch& other) {
  if (other.width_ != width_ || other.depth_ != depth_ || other.top_k_ != top_k_)
    return Status::InvalidArgument(
        "width, depth, top_k: cannot merge a sketch of " + std::to_string(other.width_) + " x " +
        std::to_string(other.depth_) + " (top " + std::to_string(other.top_k_) + ") into one of " +
        std::to_string(width_) + " x " + std::to_string(depth_) + " (top " +
        std::to_string(top_k_) + ")");
  std::uint64_t total = 0;
  if (__builtin_add_overflow(total_, other.total_, &total))
    return Status::InvalidArgument("total: the merged total would overflow 64 bits");
  total_ = total;
  for (std::size_t i = 0; i < counters_.size(); ++i) counters_[i] += other.counters_[i];
  std::set<std::string> keys;
  for (const auto& [k, e] : candidates_) keys.insert(k);
  for (const auto& [k, e] : other.candidates_) keys.insert(k);
  std::vector<HeavyHitter> merged;
  for (const auto& k : keys) merged.push_back({k, estimate(k)});
  std::sort(merged.begin(), merged.end(), largest_first);
  if (merged.size() > top_k_) merged.resize(top_k_);
  candidates_.clear();
  smallest_candidate_ = merged.size() == top_k_ && !merged.empty() ? merged.back().estimate : 0;
  for (auto& h : merged) candidates_.emplace(std::move(h.key), h.estimate);
  return Status::Ok();
}

v1::CountMinSketch CountMinSketch::to_proto() const {
  v1::CountMinSketch out;
  out.set_width(width_);
  out.set_depth(depth_);
  out.mutable_counters()->Assign(counters_.begin(), counters_.end());
  out.set_total(total_);
  out.set_top_k(top_k_);
  for (const auto& h : heavy_hitters()) {
    auto* p = out.add_heavy_hitters();
    p->set_key(h.key);
    p->set_estimate(h.estimate);
  }
  return out;
}

}  // namespace itc::analytics
