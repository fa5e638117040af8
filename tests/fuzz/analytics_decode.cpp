// What another node sends for an analytics job: the strict decoders of the sketches
// (HyperLogLogSketch, BloomFilterSketch, CountMinSketch) and a sum proof or a node's
// partial checked against commitments the verifier holds. A sketch that decodes must
// encode to a sketch that decodes to itself, and merge with itself; a proof that verifies
// must claim the true sum (a forged one would be a soundness bug).
// Input: byte 0 picks the decoder (0 HyperLogLog, 1 Bloom, 2 count-min, 3 SumProof,
// 4 PartialSum), the rest is the serialized message. The commitments for 3 and 4 are to
// the values 1, 2, 3, 4 with blindings SHA-256("analytics-fuzz:r<i>") mod n; the job is
// "job-fuzz" and the partial's node "node-fuzz". Seeds (corpus/analytics_decode/): one
// valid input per decoder (seeds/analytics_seeds.cpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bloom_filter.hpp"
#include "count_min.hpp"
#include "hyperloglog.hpp"
#include "itc/crypto.hpp"
#include "pedersen.hpp"
#include "sum_proof.hpp"

namespace {

using namespace itc;
using namespace itc::analytics;

const std::vector<std::string>& commitments() {
  static const std::vector<std::string> c = [] {
    std::vector<std::string> out;
    for (int i = 1; i <= 4; ++i) {
      const auto r = p256::digest_scalar(crypto::sha256("analytics-fuzz:r" + std::to_string(i)));
      out.push_back(*commit({i, p256::scalar_bytes(r.get())}));
    }
    return out;
  }();
  return c;
}

template <typename Sketch>
void round_trip(std::string_view bytes) {
  auto sketch = Sketch::decode(bytes);
  if (!sketch.ok()) return;
  const std::string encoded = sketch->to_proto().SerializeAsString();
  auto again = Sketch::decode(encoded);
  if (!again.ok() || again->to_proto().SerializeAsString() != encoded) __builtin_trap();
  (void)sketch->merge(*again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0]) {
    case 0:
      round_trip<HyperLogLog>(bytes);
      if (auto h = HyperLogLog::decode(bytes); h.ok() && !(h->estimate() >= 0)) __builtin_trap();
      break;
    case 1:
      round_trip<BloomFilter>(bytes);
      if (auto b = BloomFilter::decode(bytes); b.ok()) (void)b->might_contain("lamp-1");
      break;
    case 2:
      round_trip<CountMinSketch>(bytes);
      if (auto c = CountMinSketch::decode(bytes); c.ok()) (void)c->add("lamp-1", 3);
      break;
    case 3: {
      v1::SumProof proof;
      if (!proof.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return 0;
      if (verify_sum(commitments(), proof).ok() && proof.value() != 10) __builtin_trap();
      break;
    }
    case 4: {
      NodePartial p;
      if (!p.partial.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return 0;
      p.commitments = commitments();
      const auto merged = merge_partials("job-fuzz", std::span<const NodePartial>(&p, 1));
      if (merged.ok() && (merged->value != 10 || p.partial.node_id() != "node-fuzz"))
        __builtin_trap();
      break;
    }
    default:
      break;
  }
  return 0;
}
