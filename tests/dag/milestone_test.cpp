// Milestones: white-flag order, micro-transfers and conflicts resolved the same on every
// node, inclusion and state roots, proofs, and a milestone naming what is not held.
#include <QtTest>
#include <algorithm>

#include "dag_fixture.hpp"
#include "itc/merkle.hpp"

using namespace itc;
using namespace itc::dag;
using namespace itc::dag::testing;

namespace {

std::string account(const std::string& name) { return key_for(name).public_key(); }

}  // namespace

class MilestoneTest : public QObject {
  Q_OBJECT

 private slots:
  void pastConeBecomesFinalInWhiteFlagOrder() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    const auto e = entry_points();
    const std::string a = admit(*engine, lamp_reading(fleet, "la", {e[0], e[1]}));
    const std::string b = admit(*engine, lamp_reading(fleet, "lb", {e[1], e[0]}));
    const std::string c = admit(*engine, lamp_reading(fleet, "lc", {a, b}));
    const std::string d = admit(*engine, lamp_reading(fleet, "ld", {b, a}));
    const std::string x = admit(*engine, lamp_reading(fleet, "lx", {c, d}));  // not named
    // Post-order from d (parents b, a), then c (its parents already visited).
    const auto m1 = engine->apply_milestone(1, {d, c});
    QVERIFY2(m1.ok(), m1.status().message().c_str());
    QCOMPARE(m1->included, (std::vector<std::string>{b, a, d, c}));
    QCOMPARE(m1->inclusion_root, merkle::root({b, a, d, c}));
    QVERIFY(m1->conflicting.empty());
    QCOMPARE(engine->status(a).milestone, 1u);
    QVERIFY(engine->status(a).state == TxStatus::State::kFinal);
    QVERIFY(engine->status(x).state == TxStatus::State::kPending);
    // The next milestone stops at final transactions.
    const std::string y = admit(*engine, lamp_reading(fleet, "ly", {a, x}));
    const auto m2 = engine->apply_milestone(2, {y});
    QVERIFY(m2.ok());
    QCOMPARE(m2->included, (std::vector<std::string>{x, y}));
    QCOMPARE(engine->milestone(1)->inclusion_root, m1->inclusion_root);
  }

  void doubleSpendResolvesIdenticallyWhateverTheArrivalOrder() {
    Fleet fleet;
    const auto e = entry_points();
    const std::map<std::string, std::uint64_t> genesis = {{account("alice"), 100},
                                                          {account("dave"), 5}};
    fleet.lamp("alice");
    fleet.lamp("dave");
    auto& alice = *fleet.issuers["alice"];
    const auto to_bob = alice.issue_transfer(account("bob"), 70, e, kNow);
    const auto to_carol = alice.issue_transfer(account("carol"), 70, {e[1], e[0]}, kNow);
    const auto dave_pays = fleet.issuers["dave"]->issue_transfer(account("bob"), 5, e, kNow);
    // Approves the spend to carol first: white-flag order makes it the one that counts.
    const auto join =
        lamp_reading(fleet, "lamp-j", {transaction_id(to_carol), transaction_id(to_bob)});
    const auto tail =
        lamp_reading(fleet, "lamp-k", {transaction_id(join), transaction_id(dave_pays)});
    std::vector<v1::DeviceTransaction> all = {to_bob, to_carol, dave_pays, join, tail};

    std::vector<MilestoneOutcome> outcomes;
    for (int order = 0; order < 3; ++order) {
      auto engine = make_engine(fleet, genesis, 100 + order);
      if (order == 1) std::reverse(all.begin(), all.end());  // children first: they wait
      if (order == 2) std::rotate(all.begin(), all.begin() + 2, all.end());
      for (const auto& tx : all)
        QVERIFY(engine->submit(bytes_of(tx), kNow).outcome != SubmitResult::Outcome::kRefused);
      QCOMPARE(engine->waiting(), 0u);
      const auto m = engine->apply_milestone(1, {transaction_id(tail)});
      QVERIFY2(m.ok(), m.status().message().c_str());
      QCOMPARE(engine->balance(account("carol")), 70u);
      QCOMPARE(engine->balance(account("bob")), 5u);
      QCOMPARE(engine->balance(account("alice")), 30u);
      const auto st = engine->status(transaction_id(to_bob));
      QVERIFY(st.state == TxStatus::State::kConflicting);
      QCOMPARE(st.reason, std::string("insufficient balance: 30 held, 70 sent"));
      QCOMPARE(st.milestone, 1u);
      QVERIFY(!engine->proof(transaction_id(to_bob)).ok());
      outcomes.push_back(*m);
    }
    for (const auto& o : outcomes) {
      QCOMPARE(o.included, outcomes[0].included);
      QCOMPARE(o.inclusion_root, outcomes[0].inclusion_root);
      QCOMPARE(o.state_root, outcomes[0].state_root);
      QCOMPARE(o.conflicting.size(), 1u);
    }
    QCOMPARE(outcomes[0].included.size(), 4u);
    // The state root commits to the balances: RFC 6962 over key || amount, keys ascending.
    auto leaf = [](const std::string& k, std::uint64_t v) {
      std::string s = k;
      for (int shift = 56; shift >= 0; shift -= 8) s.push_back(static_cast<char>(v >> shift));
      return s;
    };
    std::vector<std::pair<std::string, std::uint64_t>> held = {
        {account("alice"), 30}, {account("bob"), 5}, {account("carol"), 70}};
    std::sort(held.begin(), held.end());
    std::vector<std::string> leaves;
    for (const auto& [k, v] : held) leaves.push_back(leaf(k, v));
    QCOMPARE(outcomes[0].state_root, merkle::root(leaves));
  }

  void inclusionProofVerifiesFromRootIndexAndPathAlone() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    std::vector<std::string> ids;
    for (int i = 0; i < 7; ++i)
      ids.push_back(admit(*engine, lamp_reading(fleet, "l" + std::to_string(i), entry_points())));
    const auto m = engine->apply_milestone(1, ids);
    QVERIFY(m.ok());
    for (const auto& id : ids) {
      const auto p = engine->proof(id);
      QVERIFY2(p.ok(), p.status().message().c_str());
      QCOMPARE(p->milestone, 1u);
      QCOMPARE(p->tree_size, 7u);
      QVERIFY(verify_inclusion_proof(id, *p, m->inclusion_root));
      // Tampered: a path byte, the index, another id, another root.
      auto bad = *p;
      bad.path[0][5] = static_cast<char>(bad.path[0][5] ^ 1);
      QVERIFY(!verify_inclusion_proof(id, bad, m->inclusion_root));
      bad = *p;
      bad.leaf_index = (p->leaf_index + 1) % 7;
      QVERIFY(!verify_inclusion_proof(id, bad, m->inclusion_root));
      QVERIFY(!verify_inclusion_proof(ids[(p->leaf_index + 1) % 7], *p, m->inclusion_root));
      QVERIFY(!verify_inclusion_proof(id, *p, crypto::sha256("another root")));
    }
    QVERIFY(!engine->proof(crypto::sha256("unknown")).ok());
  }

  void proofOfAMilestoneNoLongerRetainedSaysPruned() {
    Fleet fleet;
    auto params = test_parameters();
    params.set_milestones_retained(2);
    auto engine = make_engine(fleet, {}, 1, params);
    std::string first;
    for (std::uint32_t m = 1; m <= 3; ++m) {
      const std::string t =
          admit(*engine, lamp_reading(fleet, "l" + std::to_string(m), entry_points()));
      if (m == 1) first = t;
      QVERIFY(engine->apply_milestone(m, {t}).ok());
    }
    const auto p = engine->proof(first);
    QVERIFY(!p.ok());
    QVERIFY2(p.status().message().find("pruned at milestone 1") != std::string::npos,
             p.status().message().c_str());
  }

  void milestoneNamingUnknownTipsListsThemAndAppliesNothing() {
    Fleet fleet;
    auto engine = make_engine(fleet, {{account("alice"), 10}});
    fleet.lamp("alice");
    const std::string pay = admit(
        *engine, fleet.issuers["alice"]->issue_transfer(account("bob"), 4, entry_points(), kNow));
    const std::string ghost = crypto::sha256("never sent");
    const auto m = engine->apply_milestone(1, {pay, ghost});
    QVERIFY(!m.ok());
    QCOMPARE(static_cast<int>(m.status().code()), static_cast<int>(Status::Code::kNotFound));
    QVERIFY(m.status().message().find(crypto::to_hex(ghost)) != std::string::npos);
    QVERIFY(m.status().message().find(crypto::to_hex(pay)) == std::string::npos);
    QCOMPARE(engine->latest_milestone(), 0u);
    QVERIFY(engine->status(pay).state == TxStatus::State::kPending);
    QCOMPARE(engine->balance(account("alice")), 10u);
    // Out of sequence is refused too.
    QCOMPARE(static_cast<int>(engine->apply_milestone(2, {pay}).status().code()),
             static_cast<int>(Status::Code::kFailedPrecondition));
    QVERIFY(engine->apply_milestone(1, {pay}).ok());
    QCOMPARE(engine->balance(account("bob")), 4u);
  }

  // A node orders milestone 2 before milestone 1 is applied (PBFT pipelines blocks): the
  // plan on top of milestone 1's tips is what applying them one after the other gives.
  void milestonePlannedAheadOfAnEarlierOneMatchesApplyingInOrder() {
    Fleet fleet;
    fleet.lamp("alice");
    const auto e = entry_points();
    const auto tx_a = lamp_reading(fleet, "la", {e[0], e[1]});
    const std::string a = transaction_id(tx_a);
    const auto tx_pay = fleet.issuers["alice"]->issue_transfer(account("bob"), 60, e, kNow);
    const std::string pay = transaction_id(tx_pay);
    const auto tx_b = lamp_reading(fleet, "lb", {a, pay});
    const std::string b = transaction_id(tx_b);
    const auto tx_again =
        fleet.issuers["alice"]->issue_transfer(account("carol"), 60, {a, b}, kNow);
    const std::vector<std::string> ids = {a, pay, b, transaction_id(tx_again)};
    auto in_order = make_engine(fleet, {{account("alice"), 100}});
    auto ahead = make_engine(fleet, {{account("alice"), 100}});
    for (auto* engine : {in_order.get(), ahead.get()})
      for (const auto* tx : {&tx_a, &tx_pay, &tx_b, &tx_again}) admit(*engine, *tx);
    const auto m1 = in_order->apply_milestone(1, {ids[1]});
    const auto m2 = in_order->apply_milestone(2, {ids[3]});
    QVERIFY(m1.ok() && m2.ok());

    DeviceLedger ledger({{account("alice"), 100}});
    const auto p1 = ahead->plan_milestone({ids[1]}, {}, ledger);
    const auto p2 = ahead->plan_milestone({ids[3]}, {{ids[1]}}, ledger);
    QVERIFY(p1.ok() && p2.ok());
    QCOMPARE(p2->cone, (std::vector<std::string>{ids[0], ids[2], ids[3]}));
    QCOMPARE(p2->inclusion_root, m2->inclusion_root);
    QCOMPARE(p2->conflicting.size(), 1u);  // the second 60 of alice's 100
    QCOMPARE(p2->conflicting[0].first, ids[3]);
    QCOMPARE(ledger.state_root(), m2->state_root);
    QCOMPARE(ahead->latest_milestone(), 0u);  // planning changed nothing
    // Finalising out of turn, or with a plan of another cone, is refused.
    QVERIFY(!ahead->finalize_milestone(1, {ids[3]}, *p1).ok());
    QVERIFY(ahead->finalize_milestone(1, {ids[1]}, *p1).ok());
    QVERIFY(ahead->finalize_milestone(2, {ids[3]}, *p2).ok());
    QVERIFY(ahead->status(ids[3]).state == TxStatus::State::kConflicting);
    QCOMPARE(ahead->milestone(2)->inclusion_root, m2->inclusion_root);
    const auto proof = ahead->proof(ids[2]);
    QVERIFY(proof.ok());
    QVERIFY(verify_inclusion_proof(ids[2], *proof, m2->inclusion_root));
  }
};

QTEST_GUILESS_MAIN(MilestoneTest)
#include "milestone_test.moc"
