#include <string>

#include "bloom_filter.hpp"
#include "count_min.hpp"
#include "hyperloglog.hpp"
#include "itc/crypto.hpp"
#include "pedersen.hpp"
#include "seeds/corpus.hpp"
#include "sum_proof.hpp"

namespace itc::fuzz {

// One valid input per decoder of analytics_decode (byte 0 picks it; see that file).
void write_analytics_seeds(Corpus& corpus) {
  using namespace itc::analytics;
  auto hll = *HyperLogLog::create(HyperLogLog::kPrecision);
  auto bloom = *BloomFilter::for_keys(64, 10);
  auto cms = *CountMinSketch::create(16, 3, 4);
  for (int i = 0; i < 40; ++i) {
    const std::string key = "lamp-" + std::to_string(i % 13);
    hll.add(key);
    bloom.add(key);
    (void)cms.add(key, 1 + static_cast<std::uint64_t>(i % 3));
  }
  corpus.add("analytics_decode", "hyperloglog", '\0' + hll.to_proto().SerializeAsString());
  corpus.add("analytics_decode", "bloom", '\1' + bloom.to_proto().SerializeAsString());
  corpus.add("analytics_decode", "count_min", '\2' + cms.to_proto().SerializeAsString());
  // The openings of the target's commitments (1, 2, 3, 4 with hash-derived blindings).
  std::vector<Opening> openings;
  for (int i = 1; i <= 4; ++i)
    openings.push_back(
        {i,
         p256::scalar_bytes(
             p256::digest_scalar(crypto::sha256("analytics-fuzz:r" + std::to_string(i))).get())});
  const Opening total = *add_openings(openings);
  corpus.add("analytics_decode", "sum_proof",
             '\3' + prove_sum(total, 4, "job-fuzz")->SerializeAsString());
  corpus.add("analytics_decode", "partial",
             '\4' + prove_partial("job-fuzz", "node-fuzz", total, 4)->SerializeAsString());
}

}  // namespace itc::fuzz
