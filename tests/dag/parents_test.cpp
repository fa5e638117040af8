// Parents: missing ones make a transaction wait (solidification) until they arrive, in a
// bounded buffer whose missing ids the node fetches; parents below max depth are refused.
#include <QtTest>

#include "dag_fixture.hpp"

using namespace itc;
using namespace itc::dag;
using namespace itc::dag::testing;

namespace {
using Outcome = SubmitResult::Outcome;
}  // namespace

class ParentsTest : public QObject {
  Q_OBJECT

 private slots:
  void missingParentsWaitAndAreAdmittedWhenTheyArrive() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    const auto a = lamp_reading(fleet, "lamp-1", entry_points());
    const auto b = lamp_reading(fleet, "lamp-2", {id_of(a), entry_points()[0]});
    const auto c = lamp_reading(fleet, "lamp-3", {id_of(b), id_of(a)});
    // c first: waits for a and b; b: waits for a.
    auto rc = engine->submit(bytes_of(c), kNow);
    QCOMPARE(static_cast<int>(rc.outcome), static_cast<int>(Outcome::kWaiting));
    QCOMPARE(rc.missing.size(), 2u);
    QVERIFY(engine->submit(bytes_of(b), kNow).outcome == Outcome::kWaiting);
    QCOMPARE(engine->missing(), std::vector<std::string>{id_of(a)});  // b is not missing
    QVERIFY(!engine->check_milestone({id_of(c)}).ok());
    QVERIFY(engine->check_milestone({id_of(c)}).message().find(crypto::to_hex(id_of(a))) !=
            std::string::npos);
    QCOMPARE(static_cast<int>(engine->status(id_of(c)).state),
             static_cast<int>(TxStatus::State::kWaiting));
    const auto ra = engine->submit(bytes_of(a), kNow);
    QVERIFY(ra.outcome == Outcome::kAdmitted);
    QCOMPARE(ra.attached, (std::vector<std::string>{id_of(a), id_of(b), id_of(c)}));
    QVERIFY(engine->missing().empty());
    QCOMPARE(engine->waiting(), 0u);
    QCOMPARE(engine->held(), 3u);
  }

  void solidificationBufferIsBounded() {
    Fleet fleet;
    auto params = test_parameters();
    params.set_solidification_capacity(3);
    auto engine = make_engine(fleet, {}, 1, params);
    for (int i = 0; i < 3; ++i) {
      const auto tx = lamp_reading(fleet, "lamp-" + std::to_string(i),
                                   {crypto::sha256("m" + std::to_string(i)), entry_points()[0]});
      QVERIFY(engine->submit(bytes_of(tx), kNow).outcome == Outcome::kWaiting);
    }
    const auto fourth = lamp_reading(fleet, "lamp-9", {crypto::sha256("m9"), entry_points()[0]});
    expect_refusal(engine->submit(bytes_of(fourth), kNow), Refusal::kSolidificationFull,
                   "already wait");
    // Waiting ones leave when their issue time falls out of the window.
    const std::int64_t later = kNow + params.issue_window_past_us() + 1;
    const auto fresh =
        lamp_reading(fleet, "lamp-9", {crypto::sha256("m9"), entry_points()[0]}, later);
    QVERIFY(engine->submit(bytes_of(fresh), later).outcome == Outcome::kWaiting);
    QCOMPARE(engine->waiting(), 1u);
  }

  void parentBelowMaxDepthIsRefused() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    const auto a = lamp_reading(fleet, "lamp-1", entry_points());
    QVERIFY(engine->submit(bytes_of(a), kNow).outcome == Outcome::kAdmitted);
    QVERIFY(engine->apply_milestone(1, {id_of(a)}).ok());
    // 16 more milestones, each confirming a fresh transaction; `a` (final at 1) falls
    // more than 15 below.
    std::int64_t now = kNow;
    for (std::uint32_t m = 2; m <= 17; ++m) {
      now += 1'000'000;
      const auto t = lamp_reading(fleet, "lamp-2", engine->select_tips(2, now), now, m);
      QVERIFY(engine->submit(bytes_of(t), now).outcome == Outcome::kAdmitted);
      QVERIFY(engine->apply_milestone(m, {id_of(t)}).ok());
    }
    const auto late =
        lamp_reading(fleet, "lamp-3", {id_of(a), engine->select_tips(1, now)[0]}, now);
    expect_refusal(engine->submit(bytes_of(late), now), Refusal::kBelowMaxDepth,
                   "oldest root at milestone 1");
    // A node that asked its peers for it (a milestone names it) holds it all the same, and
    // one issued long before the window too: depth, window and rate are for new ones.
    QVERIFY(engine->submit(bytes_of(late), now, Arrival::kRequested).outcome == Outcome::kAdmitted);
    const auto stale =
        lamp_reading(fleet, "lamp-4", engine->select_tips(2, now), kNow - 3'600'000'000);
    expect_refusal(engine->submit(bytes_of(stale), now), Refusal::kIssueTime, "outside the window");
    QVERIFY(engine->submit(bytes_of(stale), now, Arrival::kRequested).outcome ==
            Outcome::kAdmitted);
    // a is no longer held as a node, yet still answered as final.
    QCOMPARE(static_cast<int>(engine->status(id_of(a)).state),
             static_cast<int>(TxStatus::State::kFinal));
    QCOMPARE(engine->status(id_of(a)).milestone, 1u);
  }
};

QTEST_GUILESS_MAIN(ParentsTest)
#include "parents_test.moc"
