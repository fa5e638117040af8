// ChainCode on the main chain (issue 14, items 1 and 2): an owner's CommitReadings
// transaction and a buyer's AnalyticsJob, as LedgerState executes them — who may commit
// what, the escrow a job moves (and the state root that covers it), and the reason a job
// or a commitment is refused, with nothing changed.
#include <google/protobuf/util/json_util.h>

#include <QtTest>
#include <functional>
#include <limits>

#include "chain_fixture.hpp"
#include "itc/chain/state.hpp"
#include "itc/ledger/transactions.hpp"
#include "itc/ledger/validators.hpp"

using namespace itc;
using ledger::LedgerState;

namespace {

const crypto::Ed25519PrivateKey kOwnerA = test::key_from('a');
const crypto::Ed25519PrivateKey kOwnerB = test::key_from('b');
const crypto::Ed25519PrivateKey kBuyer = test::key_from('c');
const std::string kProposer = test::key_from('A').public_key();
constexpr std::int64_t kMinute = 60'000'000;  // the default commitment period, in µs

bool mentions(const Status& s, std::string_view text) {
  return s.message().find(text) != std::string::npos;
}

void add_device(v1::Genesis* g, const std::string& id, const std::string& profile,
                const crypto::Ed25519PrivateKey& owner, const std::string& site) {
  v1::DeviceRecord* d = g->add_devices();
  d->set_device_id(id);
  d->set_profile(profile);
  d->set_device_public_key(test::key_from('d').public_key());
  d->set_owner(owner.public_key());
  d->set_site(site);
}

// Owner A: three lamps at site "north", one meter at "south"; owner B: two lamps at
// "south". The buyer holds 1000 ITC; the minimum fee is 2.
v1::Genesis fleet_genesis() {
  v1::Genesis g = test::make_genesis(
      4, {{kOwnerA.public_key(), 100}, {kOwnerB.public_key(), 100}, {kBuyer.public_key(), 1000}},
      2);
  for (int i = 0; i < 3; ++i) {
    add_device(&g, "a-lamp-" + std::to_string(i), "dimmable-lamp", kOwnerA, "north");
  }
  add_device(&g, "a-meter-0", "energy-meter", kOwnerA, "south");
  add_device(&g, "b-lamp-0", "dimmable-lamp", kOwnerB, "south");
  add_device(&g, "b-lamp-1", "dimmable-lamp", kOwnerB, "south");
  return g;
}

v1::AnalyticsJob energy_job(std::uint32_t k, std::uint64_t escrow) {
  v1::AnalyticsJob job;
  job.mutable_selection()->add_profiles("dimmable-lamp");
  job.set_metric("power");
  job.set_window_start_us(0);
  job.set_window_end_us(10 * kMinute);
  job.add_aggregates(v1::AGGREGATE_SUM);
  job.add_aggregates(v1::AGGREGATE_MEAN);
  job.set_min_devices(k);
  job.set_template_name("energy-sum");
  job.set_escrow(escrow);
  return job;
}

v1::Transaction signed_job(const v1::AnalyticsJob& job, std::uint64_t nonce,
                           std::uint64_t fee = 2) {
  v1::Transaction tx;
  tx.set_nonce(nonce);
  tx.set_fee(fee);
  *tx.mutable_analytics_job() = job;
  ledger::sign_tx(test::kChainId, &tx, kBuyer);
  return tx;
}

v1::ReadingCommitment commitment(const std::string& device, std::int64_t period_start_us) {
  v1::ReadingCommitment c;
  c.set_device_id(device);
  c.set_metric("power");
  c.set_period_start_us(period_start_us);
  c.set_count(12);
  c.set_decimals(3);
  // The chain checks the encoding's shape only; the curve check is verify_sum's.
  c.set_commitment("\x04" + std::string(64, '\x11'));
  return c;
}

v1::Transaction signed_commitments(const crypto::Ed25519PrivateKey& owner,
                                   const std::vector<v1::ReadingCommitment>& list,
                                   std::uint64_t nonce) {
  v1::Transaction tx;
  tx.set_nonce(nonce);
  tx.set_fee(2);
  v1::CommitReadings* body = tx.mutable_commit_readings();
  for (const auto& c : list) *body->add_commitments() = c;
  ledger::sign_tx(test::kChainId, &tx, owner);
  return tx;
}

// Applies `tx` alone in a new block and commits it; returns apply's status.
Status apply_and_commit(LedgerState& state, const v1::Transaction& tx) {
  LedgerState::BlockDraft draft = state.begin_block(kProposer);
  Status s = draft.apply(tx);
  state.push_pending(std::move(draft));
  state.commit_oldest();
  return s;
}

std::uint64_t balance(const LedgerState& state, const crypto::Ed25519PrivateKey& who) {
  auto a = state.account(who.public_key());
  return a ? a->balance() : 0;
}

}  // namespace

class AnalyticsRulesTest : public QObject {
  Q_OBJECT

 private slots:
  // ---- jobs ----------------------------------------------------------------------------

  void jobMovesItsEscrowIntoTheStateRoot() {
    LedgerState state(fleet_genesis());
    const std::string root_before = state.committed_root();
    v1::Transaction tx = signed_job(energy_job(5, 300), 1);
    QVERIFY(apply_and_commit(state, tx).ok());

    QCOMPARE(balance(state, kBuyer), 1000u - 300u - 2u);  // escrow and fee
    QCOMPARE(state.account(kProposer)->balance(), 2u);
    auto job = state.job(ledger::tx_id(tx));
    QVERIFY(job.has_value());
    QCOMPARE(job->escrow(), 300u);
    QCOMPARE(job->buyer(), kBuyer.public_key());
    QCOMPARE(job->matched_devices(), 5u);  // the five lamps of both owners
    QCOMPARE(job->submitted_height(), 1u);
    QCOMPARE(job->state(), v1::JOB_STATE_OPEN);
    QCOMPARE(job->job().template_name(), std::string("energy-sum"));
    // The escrow is in the state a light client checks: the root moved, and the job's
    // key proves against it.
    QVERIFY(state.committed_root() != root_before);
    LedgerState::StateProof proof = state.prove(ledger::job_key(ledger::tx_id(tx)));
    bool found = false;
    for (const auto& [key, value] : proof.entries) {
      found = found || key == ledger::job_key(ledger::tx_id(tx));
    }
    QVERIFY(found);
    // Every ITC is somewhere: 1200 in genesis = accounts + escrow.
    QCOMPARE(balance(state, kOwnerA) + balance(state, kOwnerB) + balance(state, kBuyer) +
                 state.account(kProposer)->balance() + job->escrow(),
             1200u);
  }

  void jobUnderKIsRefusedWithTheReason() {
    LedgerState state(fleet_genesis());
    const std::string root_before = state.committed_root();
    Status s = apply_and_commit(state, signed_job(energy_job(6, 300), 1));
    QCOMPARE(s.code(), Status::Code::kFailedPrecondition);
    QVERIFY2(mentions(s, "matches 5 registered devices, fewer than k = 6") &&
                 mentions(s, "less than k devices' data"),
             s.ToString().c_str());
    // Nothing moved: no escrow, no fee, the nonce is still free.
    QCOMPARE(balance(state, kBuyer), 1000u);
    QCOMPARE(state.committed_root(), root_before);
    QVERIFY(apply_and_commit(state, signed_job(energy_job(5, 300), 1)).ok());
  }

  void selectionMatchesProfileOwnerAndSite() {
    struct Case {
      const char* name;
      std::vector<std::string> profiles;
      std::vector<std::string> owners;
      std::vector<std::string> sites;
      std::uint32_t matched;
    };
    const std::vector<Case> cases = {
        {"everything", {}, {}, {}, 6},
        {"lamps", {"dimmable-lamp"}, {}, {}, 5},
        {"owner A", {}, {kOwnerA.public_key()}, {}, 4},
        {"site south", {}, {}, {"south"}, 3},
        {"A's lamps at south", {"dimmable-lamp"}, {kOwnerA.public_key()}, {"south"}, 0},
        {"either owner at south", {}, {kOwnerA.public_key(), kOwnerB.public_key()}, {"south"}, 3},
        {"meters and lamps at north", {"energy-meter", "dimmable-lamp"}, {}, {"north"}, 3},
    };
    for (const Case& c : cases) {
      LedgerState state(fleet_genesis());
      v1::AnalyticsJob job = energy_job(1, 10);
      job.clear_selection();
      for (const auto& p : c.profiles) job.mutable_selection()->add_profiles(p);
      for (const auto& o : c.owners) job.mutable_selection()->add_owners(o);
      for (const auto& s : c.sites) job.mutable_selection()->add_sites(s);
      // k = matched + 1 is refused naming the count; k = matched is accepted.
      Status under = apply_and_commit(state, signed_job(([&] {
                                                          v1::AnalyticsJob j = job;
                                                          j.set_min_devices(c.matched + 1);
                                                          return j;
                                                        })(),
                                                        1));
      QVERIFY2(mentions(under, "matches " + std::to_string(c.matched) + " registered device"),
               (std::string(c.name) + ": " + under.ToString()).c_str());
      if (c.matched == 0) continue;
      job.set_min_devices(c.matched);
      v1::Transaction tx = signed_job(job, 1);
      QVERIFY2(apply_and_commit(state, tx).ok(), c.name);
      QCOMPARE(state.job(ledger::tx_id(tx))->matched_devices(), c.matched);
    }
  }

  void devicesRegisteredInPendingBlocksCount() {
    // A device registered in the block below (still pending) and one earlier in the same
    // block are both seen by the job's count, as every validator's draft sees them.
    LedgerState state(fleet_genesis());
    LedgerState::BlockDraft first = state.begin_block(kProposer);
    v1::Transaction reg = test::signed_register(kOwnerB, "b-lamp-2", 1, 2);  // acme-lamp-v2
    QVERIFY(first.apply(reg).ok());
    state.push_pending(std::move(first));

    LedgerState::BlockDraft second = state.begin_block(kProposer);
    QVERIFY(second.apply(test::signed_register(kOwnerB, "b-lamp-3", 2, 2)).ok());
    v1::AnalyticsJob job = energy_job(2, 10);
    job.mutable_selection()->set_profiles(0, "acme-lamp-v2");
    QVERIFY(second.apply(signed_job(job, 1)).ok());
    job.set_min_devices(3);
    Status s = second.apply(signed_job(job, 2));
    QVERIFY2(mentions(s, "matches 2 registered devices, fewer than k = 3"), s.ToString().c_str());
  }

  void jobWithBadFieldsIsRefusedNamingTheField() {
    struct Case {
      const char* expect;
      std::function<void(v1::AnalyticsJob&)> spoil;
    };
    const std::vector<Case> cases = {
        {"analytics_job.metric: empty", [](auto& j) { j.clear_metric(); }},
        {"analytics_job.window", [](auto& j) { j.set_window_end_us(j.window_start_us()); }},
        {"analytics_job.window", [](auto& j) { j.set_window_start_us(-1); }},
        {"analytics_job.aggregates: none asked for", [](auto& j) { j.clear_aggregates(); }},
        {"analytics_job.aggregates[1]: AGGREGATE_SUM is asked for twice",
         [](auto& j) { j.set_aggregates(1, v1::AGGREGATE_SUM); }},
        {"analytics_job.aggregates[0]: unknown aggregate 0",
         [](auto& j) { j.set_aggregates(0, v1::AGGREGATE_UNSPECIFIED); }},
        {"analytics_job.aggregates[0]: unknown aggregate 99",
         [](auto& j) { j.mutable_aggregates()->Set(0, 99); }},
        {"analytics_job.min_devices: 0", [](auto& j) { j.set_min_devices(0); }},
        {"analytics_job.epsilon: differential privacy applies to sketches",
         [](auto& j) { j.set_epsilon(0.5); }},
        {"analytics_job.epsilon: must be finite",
         [](auto& j) {
           j.add_aggregates(v1::AGGREGATE_DISTINCT_COUNT);
           j.set_epsilon(std::numeric_limits<double>::infinity());
         }},
        {"analytics_job.epsilon: must be finite and >= 0",
         [](auto& j) {
           j.add_aggregates(v1::AGGREGATE_DISTINCT_COUNT);
           j.set_epsilon(-1);
         }},
        {"analytics_job.template_name: 'Energy' is not a template name",
         [](auto& j) { j.set_template_name("Energy"); }},
        {"analytics_job.template_name", [](auto& j) { j.set_template_name("-x"); }},
        {"analytics_job.escrow: 0", [](auto& j) { j.set_escrow(0); }},
        {"selection.owners[0]: 3 bytes", [](auto& j) { j.mutable_selection()->add_owners("abc"); }},
        {"selection.sites[0]: empty", [](auto& j) { j.mutable_selection()->add_sites(""); }},
    };
    for (const Case& c : cases) {
      LedgerState state(fleet_genesis());
      v1::AnalyticsJob job = energy_job(1, 10);
      c.spoil(job);
      Status s = apply_and_commit(state, signed_job(job, 1));
      QCOMPARE(s.code(), Status::Code::kInvalidArgument);
      QVERIFY2(mentions(s, c.expect), (std::string(c.expect) + " <- " + s.ToString()).c_str());
      QCOMPARE(balance(state, kBuyer), 1000u);
    }
    // With a sketch aggregate, epsilon is accepted.
    LedgerState state(fleet_genesis());
    v1::AnalyticsJob job = energy_job(1, 10);
    job.add_aggregates(v1::AGGREGATE_DISTINCT_COUNT);
    job.set_epsilon(0.5);
    QVERIFY(apply_and_commit(state, signed_job(job, 1)).ok());
  }

  void escrowBeyondTheBalanceIsAnOverdraft() {
    LedgerState state(fleet_genesis());
    Status s = apply_and_commit(state, signed_job(energy_job(1, 999), 1));  // + fee 2
    QCOMPARE(s.code(), Status::Code::kFailedPrecondition);
    QVERIFY2(mentions(s, "overdraft: balance 1000, needs 1001"), s.ToString().c_str());
    Status wrap = apply_and_commit(
        state, signed_job(energy_job(1, std::numeric_limits<std::uint64_t>::max()), 1));
    QVERIFY2(mentions(wrap, "escrow plus fee exceeds 2^64-1"), wrap.ToString().c_str());
    QCOMPARE(balance(state, kBuyer), 1000u);
  }

  // ---- commitments ---------------------------------------------------------------------

  void ownerCommitsPeriodsInOrderOnly() {
    constexpr std::int64_t t1 = kMinute;
    constexpr std::int64_t t2 = 2 * kMinute;
    LedgerState state(fleet_genesis());
    QVERIFY(apply_and_commit(
                state, signed_commitments(
                           kOwnerA, {commitment("a-lamp-0", t1), commitment("a-lamp-1", t1)}, 1))
                .ok());
    QCOMPARE(balance(state, kOwnerA), 98u);  // the fee only
    // The next period is fine; the same or an older one is refused with both periods.
    QVERIFY(
        apply_and_commit(state, signed_commitments(kOwnerA, {commitment("a-lamp-0", t2)}, 2)).ok());
    Status again = apply_and_commit(
        state,
        signed_commitments(kOwnerA, {commitment("a-lamp-1", t2), commitment("a-lamp-0", t2)}, 3));
    QCOMPARE(again.code(), Status::Code::kFailedPrecondition);
    QVERIFY2(mentions(again,
                      "commitments[1]: a-lamp-0 power period 120000000 is not after the "
                      "last one committed (120000000)"),
             again.ToString().c_str());
    Status older =
        apply_and_commit(state, signed_commitments(kOwnerA, {commitment("a-lamp-0", t1)}, 3));
    QVERIFY2(mentions(older, "period 60000000 is not after the last one committed (120000000)"),
             older.ToString().c_str());
    // Nothing of the refused transaction stayed: a-lamp-1's second minute is still free.
    QVERIFY(
        apply_and_commit(state, signed_commitments(kOwnerA, {commitment("a-lamp-1", t2)}, 3)).ok());
    // Two commitments of one (device, metric, period) in one transaction: the second fails.
    Status twice = apply_and_commit(
        state,
        signed_commitments(kOwnerA, {commitment("a-lamp-2", t1), commitment("a-lamp-2", t1)}, 4));
    QVERIFY2(mentions(twice, "commitments[1]: a-lamp-2 power period 60000000 is not after"),
             twice.ToString().c_str());
    // Another metric of the same device is its own sequence.
    v1::ReadingCommitment level = commitment("a-lamp-0", t1);
    level.set_metric("level");
    QVERIFY(apply_and_commit(state, signed_commitments(kOwnerA, {level}, 4)).ok());
  }

  void onlyTheOwnerCommitsItsDevices() {
    LedgerState state(fleet_genesis());
    Status theft =
        apply_and_commit(state, signed_commitments(kOwnerB, {commitment("a-lamp-0", kMinute)}, 1));
    QCOMPARE(theft.code(), Status::Code::kPermissionDenied);
    QVERIFY2(mentions(theft, "commitments[0]: not the owner of device a-lamp-0"),
             theft.ToString().c_str());
    Status unknown =
        apply_and_commit(state, signed_commitments(kOwnerB, {commitment("ghost", kMinute)}, 1));
    QCOMPARE(unknown.code(), Status::Code::kNotFound);
    QVERIFY2(mentions(unknown, "unknown device ghost"), unknown.ToString().c_str());
    QCOMPARE(balance(state, kOwnerB), 100u);
  }

  void commitmentWithBadFieldsIsRefusedNamingTheField() {
    struct Case {
      const char* expect;
      std::function<void(v1::ReadingCommitment&)> spoil;
    };
    const std::vector<Case> cases = {
        {"commitments[0].device_id: empty", [](auto& c) { c.clear_device_id(); }},
        {"commitments[0].metric: empty", [](auto& c) { c.clear_metric(); }},
        {"commitments[0].period_start_us: 1000 is not a positive multiple of the 60 s",
         [](auto& c) { c.set_period_start_us(1000); }},
        {"commitments[0].period_start_us", [](auto& c) { c.set_period_start_us(-kMinute); }},
        {"commitments[0].period_start_us: 0 is not a positive",
         [](auto& c) { c.set_period_start_us(0); }},
        {"commitments[0].count: 0", [](auto& c) { c.set_count(0); }},
        {"commitments[0].decimals: 10 is above 9", [](auto& c) { c.set_decimals(10); }},
        {"commitments[0].commitment: 33 bytes",
         [](auto& c) { c.set_commitment("\x02" + std::string(32, '\x11')); }},
        {"commitments[0].commitment: 65 bytes",
         [](auto& c) { c.set_commitment("\x05" + std::string(64, '\x11')); }},
    };
    for (const Case& c : cases) {
      LedgerState state(fleet_genesis());
      v1::ReadingCommitment bad = commitment("a-lamp-0", kMinute);
      c.spoil(bad);
      Status s = apply_and_commit(state, signed_commitments(kOwnerA, {bad}, 1));
      QCOMPARE(s.code(), Status::Code::kInvalidArgument);
      QVERIFY2(mentions(s, c.expect), (std::string(c.expect) + " <- " + s.ToString()).c_str());
    }
    LedgerState state(fleet_genesis());
    Status none = apply_and_commit(state, signed_commitments(kOwnerA, {}, 1));
    QVERIFY2(mentions(none, "commit_readings.commitments: empty"), none.ToString().c_str());
    std::vector<v1::ReadingCommitment> many(1025, commitment("a-lamp-0", kMinute));
    Status big = apply_and_commit(state, signed_commitments(kOwnerA, many, 1));
    QVERIFY2(mentions(big, "1025 commitments, at most 1024"), big.ToString().c_str());
  }

  void genesisSetsTheCommitmentPeriod() {
    v1::Genesis g = fleet_genesis();
    g.set_commitment_period_s(300);
    LedgerState state(g);
    Status minute =
        apply_and_commit(state, signed_commitments(kOwnerA, {commitment("a-lamp-0", kMinute)}, 1));
    QVERIFY2(mentions(minute, "not a positive multiple of the 300 s commitment period"),
             minute.ToString().c_str());
    QVERIFY(apply_and_commit(state,
                             signed_commitments(kOwnerA, {commitment("a-lamp-0", 5 * kMinute)}, 1))
                .ok());
    // parse_genesis refuses a period under 30 s.
    g.set_commitment_period_s(10);
    std::string json;
    QVERIFY(google::protobuf::util::MessageToJsonString(g, &json).ok());
    auto parsed = ledger::parse_genesis(json, "genesis.json");
    QVERIFY(!parsed.ok());
    QVERIFY2(mentions(parsed.status(), "commitment_period_s: 10 is below 30"),
             parsed.status().ToString().c_str());
  }
};

QTEST_APPLESS_MAIN(AnalyticsRulesTest)
#include "analytics_rules_test.moc"
