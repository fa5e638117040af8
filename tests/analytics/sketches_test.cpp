// Bloom filter, count-min heavy hitters and Laplace noise: the false-positive rate a
// buyer is quoted is the one measured, planted heavy hitters are found with counts within
// the stated bound, sketches merge, malformed ones are refused, and noise has the
// documented distribution.
#include <QtTest>
#include <cmath>
#include <random>

#include "bloom_filter.hpp"
#include "count_min.hpp"
#include "laplace_noise.hpp"

using namespace itc;
using namespace itc::analytics;

namespace {

void expect_refused(const Status& s, const char* what) {
  QVERIFY2(!s.ok(), what);
  QCOMPARE(s.code(), Status::Code::kInvalidArgument);
  QVERIFY2(s.message().find(what) != std::string::npos, s.message().c_str());
}

std::string member(std::size_t i) { return "device-" + std::to_string(i); }
std::string stranger(std::size_t i) { return "other-" + std::to_string(i); }

}  // namespace

class SketchesTest : public QObject {
  Q_OBJECT

 private slots:
  void bloomFalsePositiveRateAtTenBitsPerKeyIsTheTheoreticalOne() {
    constexpr std::size_t n = 100'000, queries = 2'000'000;
    auto bloom = *BloomFilter::for_keys(n, 10);
    QCOMPARE(bloom.bits(), std::uint64_t{1'000'000});
    QCOMPARE(bloom.hashes(), std::uint32_t{7});  // round(10 · ln 2)
    for (std::size_t i = 0; i < n; ++i) bloom.add(member(i));
    for (std::size_t i = 0; i < n; ++i) QVERIFY(bloom.might_contain(member(i)));
    std::size_t positives = 0;
    for (std::size_t i = 0; i < queries; ++i) positives += bloom.might_contain(stranger(i)) ? 1 : 0;
    const double measured = static_cast<double>(positives) / queries;
    const double theory = std::pow(1 - std::exp(-7.0 * n / 1e6), 7);
    QCOMPARE(bloom.expected_false_positive_rate(), theory);
    qInfo("Bloom 10 bits/key, k=7: false positives %.4f%% measured, %.4f%% in theory (%zu queries)",
          100 * measured, 100 * theory, queries);
    // The measurement's own standard error is ~0.8% of theory here: 5% is > 4 of them.
    QVERIFY2(std::fabs(measured / theory - 1) < 0.05, std::to_string(measured).c_str());
  }

  void bloomFiltersMergeAndMalformedOnesAreRefused() {
    auto a = *BloomFilter::for_keys(1000, 10);
    auto b = *BloomFilter::for_keys(1000, 10);
    auto whole = *BloomFilter::for_keys(1000, 10);
    for (std::size_t i = 0; i < 1000; ++i) {
      (i < 500 ? a : b).add(member(i));
      whole.add(member(i));
    }
    QVERIFY(a.merge(b).ok());
    QVERIFY(a == whole);
    const auto back = BloomFilter::decode(a.to_proto().SerializeAsString());
    QVERIFY2(back.ok(), back.status().message().c_str());
    QVERIFY(*back == a);

    auto odd = *BloomFilter::create(1001, 3);
    expect_refused(a.merge(odd), "bits, hashes: cannot merge a filter of 1001 bits, 3 hashes");
    auto sketch = odd.to_proto();
    sketch.mutable_bitmap()->push_back('\0');
    expect_refused(BloomFilter::from_proto(sketch).status(),
                   "bitmap: 1001 bits need 126 bytes, got 127");
    sketch = odd.to_proto();
    sketch.mutable_bitmap()->back() = '\x80';
    expect_refused(BloomFilter::from_proto(sketch).status(), "bitmap: a bit past the filter's");
    sketch = odd.to_proto();
    sketch.set_hashes(31);
    expect_refused(BloomFilter::from_proto(sketch).status(), "hashes: 1..30, got 31");
    sketch.set_hashes(3);
    sketch.set_bits(0);
    expect_refused(BloomFilter::from_proto(sketch).status(), "bits: 1..2^32, got 0");
    expect_refused(BloomFilter::decode("\x1a\x05zz").status(),
                   "not a valid itc.v1.BloomFilterSketch");
  }

  void countMinFindsPlantedHeavyHittersWithinItsBound() {
    auto cms = *CountMinSketch::for_error(0.001, 0.001, 10);
    QCOMPARE(cms.width(), std::uint32_t{2719});  // ceil(e / 0.001)
    QCOMPARE(cms.depth(), std::uint32_t{7});     // ceil(ln 1000)
    // 100,000 background keys seen 1-3 times, five failing lamps planted among them.
    const std::vector<std::pair<std::string, std::uint64_t>> planted = {{"lamp-17", 5000},
                                                                        {"lamp-4", 4000},
                                                                        {"lamp-99", 3000},
                                                                        {"lamp-3", 2000},
                                                                        {"lamp-60", 1000}};
    std::vector<std::string> stream;
    std::mt19937_64 rng(14);
    std::map<std::string, std::uint64_t> truth;
    for (std::size_t i = 0; i < 100'000; ++i)
      for (std::uint64_t r = 0, times = 1 + rng() % 3; r < times; ++r) stream.push_back(member(i));
    for (const auto& [k, count] : planted)
      for (std::uint64_t r = 0; r < count; ++r) stream.push_back(k);
    std::shuffle(stream.begin(), stream.end(), rng);
    for (const auto& k : stream) {
      QVERIFY(cms.add(k).ok());
      ++truth[k];
    }
    QCOMPARE(cms.total(), std::uint64_t{stream.size()});
    const auto top = cms.heavy_hitters();
    QCOMPARE(top.size(), std::size_t{10});
    const double bound = 0.001 * static_cast<double>(stream.size());
    for (std::size_t i = 0; i < planted.size(); ++i) {
      QCOMPARE(top[i].key, planted[i].first);
      QVERIFY(top[i].estimate >= planted[i].second);
      QVERIFY2(static_cast<double>(top[i].estimate - planted[i].second) <= bound,
               std::to_string(top[i].estimate).c_str());
    }
    for (const auto& [k, count] : truth) QVERIFY(cms.estimate(k) >= count);  // never under
  }

  void countMinSketchesMergeAndMalformedOnesAreRefused() {
    auto whole = *CountMinSketch::create(500, 4, 3);
    auto a = *CountMinSketch::create(500, 4, 3);
    auto b = *CountMinSketch::create(500, 4, 3);
    for (std::size_t i = 0; i < 20'000; ++i) {
      const std::string k = i % 4 == 0    ? "hot-a"
                            : i % 9 == 0  ? "hot-b"
                            : i % 25 == 0 ? "hot-c"
                                          : member(i);
      QVERIFY(whole.add(k).ok());
      QVERIFY((i % 2 == 0 ? a : b).add(k).ok());
    }
    QVERIFY(a.merge(b).ok());
    QCOMPARE(a.to_proto().SerializeAsString(), whole.to_proto().SerializeAsString());
    const auto top = a.heavy_hitters();
    QCOMPARE(top.size(), std::size_t{3});
    QCOMPARE(top[0].key, std::string("hot-a"));
    QCOMPARE(top[1].key, std::string("hot-b"));
    QCOMPARE(top[2].key, std::string("hot-c"));
    QCOMPARE(top[0].estimate, whole.estimate("hot-a"));
    const auto back = CountMinSketch::decode(whole.to_proto().SerializeAsString());
    QVERIFY2(back.ok(), back.status().message().c_str());
    QCOMPARE(back->heavy_hitters(), whole.heavy_hitters());

    auto sketch = whole.to_proto();
    sketch.mutable_counters()->RemoveLast();
    expect_refused(CountMinSketch::from_proto(sketch).status(),
                   "counters: 500 x 4 needs 2000, got 1999");
    sketch = whole.to_proto();
    sketch.set_counters(1500, sketch.counters(1500) + 1);
    expect_refused(CountMinSketch::from_proto(sketch).status(),
                   "counters: row 3 does not add up to total 20000");
    sketch = whole.to_proto();
    sketch.mutable_heavy_hitters(0)->set_estimate(20'001);
    expect_refused(CountMinSketch::from_proto(sketch).status(),
                   "heavy_hitters[0].estimate: 20001 exceeds what the counters allow");
    sketch = whole.to_proto();
    *sketch.mutable_heavy_hitters(1) = sketch.heavy_hitters(0);
    expect_refused(CountMinSketch::from_proto(sketch).status(), "heavy_hitters[1].key: repeated");
    sketch = whole.to_proto();
    sketch.set_top_k(2);
    expect_refused(CountMinSketch::from_proto(sketch).status(),
                   "heavy_hitters: at most top_k = 2, got 3");
    sketch.set_depth(33);
    expect_refused(CountMinSketch::from_proto(sketch).status(), "depth: 1..32, got 33");
    auto narrow = *CountMinSketch::create(499, 4, 3);
    expect_refused(a.merge(narrow), "width, depth, top_k: cannot merge");
    expect_refused(a.add(std::string(257, 'k')), "key: at most 256 bytes");
    QVERIFY(a.add("x", UINT64_MAX - a.total()).ok());
    expect_refused(a.add("x"), "count: the sketch's total would overflow");
  }

  void laplaceNoiseHasMeanZeroAndScaleSensitivityOverEpsilon() {
    constexpr int n = 100'000;
    double sum = 0, sum_abs = 0;
    for (int i = 0; i < n; ++i) {
      const double x = *laplace_noise(0.5);  // scale b = 1 / 0.5 = 2
      sum += x;
      sum_abs += std::fabs(x);
    }
    // E[x] = 0 (standard error 2·sqrt(2)/sqrt(n) ≈ 0.009), E|x| = b (standard error ≈ 0.006).
    QVERIFY2(std::fabs(sum / n) < 0.05, std::to_string(sum / n).c_str());
    QVERIFY2(std::fabs(sum_abs / n - 2) < 0.04, std::to_string(sum_abs / n).c_str());
    QVERIFY(std::fabs(*noisy_count(1000, 1e6) - 1000) < 0.01);
    expect_refused(laplace_noise(0).status(), "epsilon: a finite number > 0");
    expect_refused(laplace_noise(std::nan("")).status(), "epsilon:");
    expect_refused(laplace_noise(1, -1).status(), "sensitivity:");
  }
};

QTEST_GUILESS_MAIN(SketchesTest)
#include "sketches_test.moc"
