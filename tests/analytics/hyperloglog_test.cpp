// HyperLogLog at p = 14: the distinct count a buyer gets is within the anchor's error
// (Redis: 0.81% standard error), sketches from different nodes merge into the sketch of
// the union, and a malformed sketch from a peer is refused.
#include "hyperloglog.hpp"

#include <QtTest>
#include <cmath>

#include "sip_hash.hpp"

using namespace itc;
using namespace itc::analytics;

namespace {

std::string key(std::size_t i) { return "lamp-" + std::to_string(i) + "/occupancy"; }

void expect_refused(const Status& s, const char* what) {
  QVERIFY2(!s.ok(), what);
  QCOMPARE(s.code(), Status::Code::kInvalidArgument);
  QVERIFY2(s.message().find(what) != std::string::npos, s.message().c_str());
}

}  // namespace

class HyperLogLogTest : public QObject {
  Q_OBJECT

 private slots:
  void sipHashMatchesThePublishedVector() {
    // SipHash-2-4 paper, appendix A: key 00..0f, message 00..0e.
    std::string message;
    for (char c = 0; c < 15; ++c) message.push_back(c);
    QCOMPARE(sip_hash({0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL}, message),
             std::uint64_t{0xa129ca6149be45e5ULL});
  }

  void distinctCountOfAMillionKeysIsWithinThreeStandardErrors() {
    auto hll = *HyperLogLog::create();
    QCOMPARE(hll.registers().size(), std::size_t{16384});
    QCOMPARE(hll.standard_error(), 1.04 / 128);
    constexpr std::size_t n = 1'000'000;
    for (std::size_t i = 0; i < n; ++i) hll.add(key(i));
    const double error = hll.estimate() / n - 1;
    qInfo("HyperLogLog p=14, %zu distinct keys: estimate %.0f, relative error %.3f%%", n,
          hll.estimate(), 100 * error);
    QVERIFY2(std::fabs(error) < 3 * hll.standard_error(), std::to_string(error).c_str());
  }

  void repeatedKeysCountOnceAndSmallCountsAreNearExact() {
    auto hll = *HyperLogLog::create();
    QCOMPARE(hll.estimate(), 0.0);
    for (int round = 0; round < 10; ++round)
      for (std::size_t i = 0; i < 1000; ++i) hll.add(key(i));
    // Linear counting below 2.5·m: far tighter than 0.81% here.
    QVERIFY2(std::fabs(hll.estimate() - 1000) < 10, std::to_string(hll.estimate()).c_str());
  }

  void mergeOfTwoHalvesIsTheSketchOfTheWhole() {
    auto whole = *HyperLogLog::create();
    auto first = *HyperLogLog::create();
    auto second = *HyperLogLog::create();
    for (std::size_t i = 0; i < 200'000; ++i) {
      whole.add(key(i));
      (i % 2 == 0 ? first : second).add(key(i));
    }
    // Overlap: keys both halves saw count once.
    for (std::size_t i = 0; i < 1000; ++i) second.add(key(2 * i));
    QVERIFY(first.merge(second).ok());
    QVERIFY(first == whole);
    QCOMPARE(first.estimate(), whole.estimate());
    auto other = *HyperLogLog::create(12);
    expect_refused(first.merge(other), "precision: cannot merge a sketch of precision 12");
    QVERIFY(first == whole);
  }

  void sketchTravelsAsAProtoAndMalformedOnesAreRefused() {
    auto hll = *HyperLogLog::create();
    for (std::size_t i = 0; i < 5000; ++i) hll.add(key(i));
    const std::string bytes = hll.to_proto().SerializeAsString();
    const auto back = HyperLogLog::decode(bytes);
    QVERIFY2(back.ok(), back.status().message().c_str());
    QVERIFY(*back == hll);

    auto sketch = hll.to_proto();
    sketch.mutable_registers()->pop_back();
    expect_refused(HyperLogLog::from_proto(sketch).status(),
                   "registers: precision 14 needs 16384 registers, got 16383");
    sketch = hll.to_proto();
    sketch.set_precision(19);
    expect_refused(HyperLogLog::from_proto(sketch).status(), "precision: 4..18, got 19");
    sketch = hll.to_proto();
    (*sketch.mutable_registers())[77] = 52;
    expect_refused(HyperLogLog::from_proto(sketch).status(),
                   "registers[77]: 52 exceeds the largest rank 51");
    expect_refused(HyperLogLog::decode("\x0a\xff\xff").status(),
                   "not a valid itc.v1.HyperLogLogSketch");
    expect_refused(HyperLogLog::create(3).status(), "precision: 4..18, got 3");
  }
};

QTEST_GUILESS_MAIN(HyperLogLogTest)
#include "hyperloglog_test.moc"
