// The tangle: cumulative weight, the tip set's rules, and tip selection (never a lazy
// tip, uniform among the rest, one sequence per seed).
#include <QtTest>
#include <map>

#include "dag_fixture.hpp"

using namespace itc;
using namespace itc::dag;
using namespace itc::dag::testing;

class TangleTest : public QObject {
  Q_OBJECT

 private slots:
  void cumulativeWeightCountsEachDirectOrIndirectApproverOnce() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    const auto e = entry_points();
    const std::string a = admit(*engine, lamp_reading(fleet, "l1", e));
    const std::string b = admit(*engine, lamp_reading(fleet, "l2", {a, e[0]}));
    const std::string c = admit(*engine, lamp_reading(fleet, "l3", {b, e[1]}));
    const std::string d = admit(*engine, lamp_reading(fleet, "l4", {a, b}));  // a diamond
    QCOMPARE(engine->status(a).weight, 3u);                                   // b, c, d
    QCOMPARE(engine->status(b).weight, 2u);                                   // c, d
    QCOMPARE(engine->status(c).weight, 0u);
    QCOMPARE(engine->status(d).weight, 0u);
  }

  void tipLeavesAfterMaxApproversOrMaxAge() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    const auto e = entry_points();
    const std::string a = admit(*engine, lamp_reading(fleet, "l1", e));
    const std::string b = admit(*engine, lamp_reading(fleet, "l2", {a, e[0]}));
    auto tips = engine->select_tips(8, kNow);
    QVERIFY(std::count(tips.begin(), tips.end(), a) == 1);  // one approver: still a tip
    const std::string c = admit(*engine, lamp_reading(fleet, "l3", {a, b}));
    tips = engine->select_tips(8, kNow);
    std::sort(tips.begin(), tips.end());
    // a has 2 approvers: gone; b and c remain; the entry points fill in.
    std::vector<std::string> expected = {b, c, e[0], e[1]};
    std::sort(expected.begin(), expected.end());
    QCOMPARE(tips, expected);
    // 3 s later b and c have aged out: only the entry points are left to approve.
    tips = engine->select_tips(8, kNow + 3'000'001);
    std::sort(tips.begin(), tips.end());
    QCOMPARE(tips, (std::vector<std::string>{std::min(e[0], e[1]), std::max(e[0], e[1])}));
  }

  void lazyTipIsNeverSelected() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    const auto e = entry_points();
    // `lazy` approves only the entry points and stays pending while 9 milestones confirm
    // others: LSMI - YMRSI = 9 > 8.
    const std::string lazy = admit(*engine, lamp_reading(fleet, "lazy", e));
    std::vector<std::string> fresh;
    for (std::uint32_t m = 1; m <= 9; ++m) {
      const std::string t =
          admit(*engine, fleet.gateway("gw").issue_readings({reading("x", m)}, e, kNow));
      QVERIFY(engine->apply_milestone(m, {t}).ok());
      fresh.push_back(t);
    }
    QVERIFY(engine->status(lazy).state == TxStatus::State::kPending);
    for (int i = 0; i < 500; ++i) {
      const auto tips = engine->select_tips(2, kNow);
      QCOMPARE(tips.size(), 2u);
      QVERIFY(std::find(tips.begin(), tips.end(), lazy) == tips.end());
    }
    // One milestone fewer and it would be chosen: the rule is the bound, not a ban.
    Fleet fleet2;
    auto engine2 = make_engine(fleet2);
    const std::string young = admit(*engine2, lamp_reading(fleet2, "lazy", e));
    for (std::uint32_t m = 1; m <= 8; ++m) {
      const std::string t =
          admit(*engine2, fleet2.gateway("gw").issue_readings({reading("x", m)}, e, kNow));
      QVERIFY(engine2->apply_milestone(m, {t}).ok());
    }
    bool seen = false;
    for (int i = 0; i < 200 && !seen; ++i) {
      const auto tips = engine2->select_tips(2, kNow);
      seen = std::find(tips.begin(), tips.end(), young) != tips.end();
    }
    QVERIFY(seen);
  }

  void tipBelowMaxDepthLeavesTheTipSet() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    const auto e = entry_points();
    const std::string old = admit(*engine, lamp_reading(fleet, "old", e));
    for (std::uint32_t m = 1; m <= 16; ++m) {  // 16 > below_max_depth 15
      const std::string t =
          admit(*engine, fleet.gateway("gw").issue_readings({reading("x", m)}, e, kNow));
      QVERIFY(engine->apply_milestone(m, {t}).ok());
    }
    // `old` still pending and held, but no longer offered, and refused as a parent.
    QVERIFY(engine->status(old).state == TxStatus::State::kPending);
    for (int i = 0; i < 100; ++i) {
      const auto tips = engine->select_tips(8, kNow);
      QVERIFY(std::find(tips.begin(), tips.end(), old) == tips.end());
    }
    const auto r = engine->submit(bytes_of(lamp_reading(fleet, "new", {old, e[0]})), kNow);
    QVERIFY(r.outcome == SubmitResult::Outcome::kRefused && r.reason == Refusal::kBelowMaxDepth);
  }

  void emptyMilestonesDoNotStallIssuing() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    const std::string a = admit(*engine, lamp_reading(fleet, "l1", entry_points()));
    QVERIFY(engine->apply_milestone(1, {a}).ok());
    // 30 milestones that confirm nothing (the main chain had no tips to name).
    for (std::uint32_t m = 2; m <= 31; ++m) QVERIFY(engine->apply_milestone(m, {}).ok());
    const std::int64_t later = kNow + 10'000'000;  // every tip has aged out
    const auto parents = engine->select_tips(2, later);
    QCOMPARE(parents.size(), 2u);
    QCOMPARE(parents[0], a);  // the newest final transaction first
    const std::string b = admit(*engine, lamp_reading(fleet, "l2", parents, later), later);
    const auto m = engine->apply_milestone(32, {b});
    QVERIFY(m.ok());
    QCOMPARE(m->included, std::vector<std::string>{b});
  }

  void selectionIsUniformAmongNonLazyTips() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    const auto e = entry_points();
    std::vector<std::string> tips;
    for (int i = 0; i < 4; ++i)
      tips.push_back(admit(*engine, lamp_reading(fleet, "l" + std::to_string(i), e)));
    std::map<std::string, int> chosen;
    constexpr int kDraws = 8000;
    for (int i = 0; i < kDraws; ++i) ++chosen[engine->select_tips(1, kNow).at(0)];
    QCOMPARE(chosen.size(), 4u);
    for (const auto& t : tips) {  // expected 2000 each; 5 sigma is about 190
      QVERIFY2(chosen[t] > 1750 && chosen[t] < 2250, std::to_string(chosen[t]).c_str());
    }
  }

  void selectionIsDeterministicPerSeed() {
    auto run = [](std::uint64_t seed) {
      Fleet fleet;
      auto engine = make_engine(fleet, {}, seed);
      for (int i = 0; i < 20; ++i)
        admit(*engine, lamp_reading(fleet, "l" + std::to_string(i), entry_points()));
      std::vector<std::string> picks;
      for (int i = 0; i < 50; ++i)
        for (auto& t : engine->select_tips(3, kNow)) picks.push_back(t);
      return picks;
    };
    QCOMPARE(run(7), run(7));
    QVERIFY(run(7) != run(8));
  }
};

QTEST_GUILESS_MAIN(TangleTest)
#include "tangle_test.moc"
