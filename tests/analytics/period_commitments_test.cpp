// PeriodCommitments (issue 14, item 1): an owner's readings summed per device, metric and
// period, each closed period committed once; the commitments open to the true sums and
// add up to the sum over the periods.
#include "period_commitments.hpp"

#include <QtTest>

#include "pedersen.hpp"
#include "sum_proof.hpp"

using namespace itc;
using analytics::PeriodCommitments;

namespace {

constexpr std::int64_t kMinute = 60'000'000;

v1::Reading reading(const std::string& device, const std::string& metric, double value,
                    std::int64_t at_us) {
  v1::Reading r;
  r.set_device_id(device);
  r.set_metric(metric);
  r.set_value(value);
  r.set_sampled_at_us(at_us);
  return r;
}

bool mentions(const Status& s, std::string_view text) {
  return s.message().find(text) != std::string::npos;
}

}  // namespace

class PeriodCommitmentsTest : public QObject {
  Q_OBJECT

 private slots:
  void closedPeriodsOpenToTheirSums() {
    PeriodCommitments periods(60, 3);
    QCOMPARE(periods.period_us(), kMinute);
    QVERIFY(periods.add(reading("lamp-1", "power", 12.3456, 1 * 1'000'000)).ok());  // 12346
    QVERIFY(periods.add(reading("lamp-1", "power", 0.0004, 59'999'999)).ok());      // 0
    QVERIFY(periods.add(reading("lamp-1", "power", -1.5, 60 * 1'000'000)).ok());    // next
    QVERIFY(periods.add(reading("lamp-1", "level", 40, 2 * 1'000'000)).ok());       // 40000
    QVERIFY(periods.add(reading("lamp-2", "power", 7.001, 3 * 1'000'000)).ok());    // 7001
    QCOMPARE(periods.open_periods(), std::size_t{4});

    // Nothing closes before the period's end.
    QVERIFY(periods.close_until(kMinute - 1).empty());
    std::vector<analytics::CommittedPeriod> first = periods.close_until(kMinute);
    QCOMPARE(first.size(), std::size_t{3});
    // Ordered by (period, device, metric).
    QCOMPARE(first[0].commitment.device_id(), std::string("lamp-1"));
    QCOMPARE(first[0].commitment.metric(), std::string("level"));
    QCOMPARE(first[1].commitment.metric(), std::string("power"));
    QCOMPARE(first[2].commitment.device_id(), std::string("lamp-2"));
    const std::int64_t sums[] = {40000, 12346, 7001};
    const std::uint64_t counts[] = {1, 2, 1};
    for (int i = 0; i < 3; ++i) {
      const auto& c = first[static_cast<std::size_t>(i)];
      QCOMPARE(c.opening.value, sums[i]);
      QCOMPARE(c.commitment.count(), counts[i]);
      QCOMPARE(c.commitment.period_start_us(), std::int64_t{0});
      QCOMPARE(c.commitment.decimals(), 3u);
      QCOMPARE(c.commitment.commitment().size(), std::size_t{65});
      QVERIFY(analytics::open(c.commitment.commitment(), c.opening).ok());
      // The value alone does not open it: the blinding is what hides it.
      analytics::Opening guess{c.opening.value, std::string(32, '\x01')};
      QVERIFY(!analytics::open(c.commitment.commitment(), guess).ok());
    }

    // A reading of a closed period is refused; the open one still takes readings.
    Status late = periods.add(reading("lamp-1", "power", 1, 30 * 1'000'000));
    QCOMPARE(late.code(), Status::Code::kInvalidArgument);
    QVERIFY2(mentions(late, "its period 0 is closed and committed"), late.ToString().c_str());
    QVERIFY(periods.add(reading("lamp-1", "power", 2.5, 61 * 1'000'000)).ok());

    std::vector<analytics::CommittedPeriod> second = periods.close_until(2 * kMinute);
    QCOMPARE(second.size(), std::size_t{1});
    QCOMPARE(second[0].opening.value, std::int64_t{1000});  // -1500 + 2500
    QCOMPARE(second[0].commitment.period_start_us(), kMinute);
    QCOMPARE(periods.open_periods(), std::size_t{0});

    // lamp-1's power over both periods: the sum of its commitments verifies against 13346.
    std::vector<std::string> points = {first[1].commitment.commitment(),
                                       second[0].commitment.commitment()};
    auto total = analytics::add_openings(
        std::vector<analytics::Opening>{first[1].opening, second[0].opening});
    QVERIFY(total.ok());
    QCOMPARE(total->value, std::int64_t{13346});
    auto proof = analytics::prove_sum(*total, 2, "lamp-1/power");
    QVERIFY(analytics::verify_sum(points, *proof).ok());
  }

  void badReadingsAreRefusedAndAddNothing() {
    PeriodCommitments periods(60, 3);
    QVERIFY(mentions(periods.add(reading("", "power", 1, 0)), "device_id is empty"));
    QVERIFY(mentions(periods.add(reading("lamp", "", 1, 0)), "metric is empty"));
    QVERIFY(mentions(periods.add(reading("lamp", "power", 1, -1)), "sampled_at_us is negative"));
    QVERIFY(!periods.add(reading("lamp", "power", std::nan(""), 0)).ok());
    QCOMPARE(periods.open_periods(), std::size_t{0});
    // A period's sum that would leave int64 is refused; the sum before it stays.
    QVERIFY(periods.add(reading("lamp", "power", 9e15, 0)).ok());  // 9e18 at 3 decimals
    Status over = periods.add(reading("lamp", "power", 9e15, 1));
    QVERIFY2(mentions(over, "would leave int64"), over.ToString().c_str());
    auto closed = periods.close_until(kMinute);
    QCOMPARE(closed.size(), std::size_t{1});
    QCOMPARE(closed[0].opening.value, std::int64_t{9'000'000'000'000'000'000});
    QCOMPARE(closed[0].commitment.count(), 1u);
  }
};

QTEST_APPLESS_MAIN(PeriodCommitmentsTest)
#include "period_commitments_test.moc"
