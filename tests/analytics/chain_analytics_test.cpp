// ChainCode on a real main chain (issue 14, items 1 and 2): four PBFT validators
// (itc-node processes), devices of two owners in the genesis. An owner commits its
// lamps' readings per period (PeriodCommitments, as its node does) in CommitReadings
// transactions; the chain carries the commitments, never the values, and the sum of a
// lamp's commitments read back from another validator's blocks verifies against the
// true sum of its readings. A buyer's AnalyticsJob under k is refused with the reason;
// one at k holds its escrow in the state every validator serves.
#include <QtTest>
#include <cmath>
#include <cstring>
#include <map>

#include "itc/ledger/transactions.hpp"
#include "local_network.hpp"
#include "pedersen.hpp"
#include "period_commitments.hpp"
#include "sum_proof.hpp"

using namespace itc;
using itc::testing::eventually;
using itc::testing::LocalNetwork;
using itc::testing::NetworkOptions;

namespace {

constexpr std::uint32_t kPeriodS = 30;
constexpr std::int64_t kPeriodUs = std::int64_t{kPeriodS} * 1'000'000;
constexpr int kDecimals = 3;
// A value no block, event or answer holds by chance: what the scan looks for.
constexpr double kDistinctive = 4242.4242;

std::string lamp(int owner, int i) {
  return "owner" + std::to_string(owner) + "-lamp-" + std::to_string(i);
}

// Owner 0 (account 0) has four lamps, owner 1 (account 1) two; account 2 is the buyer.
void add_fleet(v1::Genesis& g) {
  g.set_commitment_period_s(kPeriodS);
  const int lamps[] = {4, 2};
  for (int owner = 0; owner < 2; ++owner) {
    for (int i = 0; i < lamps[owner]; ++i) {
      v1::DeviceRecord* d = g.add_devices();
      d->set_device_id(lamp(owner, i));
      d->set_profile("dimmable-lamp");
      d->set_device_public_key(crypto::Ed25519PrivateKey::generate()->public_key());
      d->set_owner(g.allocations(owner).account());
      d->set_site(owner == 0 ? "north" : "south");
    }
  }
}

v1::Reading reading(const std::string& device, double value, std::int64_t at_us) {
  v1::Reading r;
  r.set_device_id(device);
  r.set_metric("power");
  r.set_unit("W");
  r.set_value(value);
  r.set_sampled_at_us(at_us);
  return r;
}

QString reason_of(const itc::testing::HttpReply& r) { return r.json["reason"].toString(); }

bool contains_bytes(const std::string& haystack, const void* needle, std::size_t n) {
  return haystack.find(std::string(static_cast<const char*>(needle), n)) != std::string::npos;
}

}  // namespace

class ChainAnalyticsTest : public QObject {
  Q_OBJECT

 private slots:
  void commitmentsAndJobsOnFourValidators() {
    NetworkOptions opt;
    opt.accounts = 3;
    opt.genesis_extra = add_fleet;
    LocalNetwork net(opt);
    net.start_all();

    // ---- item 1: the owner's node commits its lamps' readings per period --------------
    analytics::PeriodCommitments committer(kPeriodS, kDecimals);
    std::map<std::string, std::int64_t> true_sum;  // device -> Σ scaled readings
    std::map<std::string, std::uint64_t> true_count;
    const std::int64_t t0 = 1'767'225'600'000'000;  // 2026-01-01, a period boundary
    for (int i = 0; i < 4; ++i) {
      for (int k = 0; k < 25; ++k) {  // readings every 2.4 s over two periods
        const double value = i == 0 && k == 7 ? kDistinctive : 10.0 + i + 0.001 * (k * 37 % 1000);
        v1::Reading r = reading(lamp(0, i), value, t0 + k * 2'400'000);
        QVERIFY(committer.add(r).ok());
        true_sum[lamp(0, i)] += *analytics::scale_reading(value, kDecimals);
        ++true_count[lamp(0, i)];
      }
    }
    std::vector<analytics::CommittedPeriod> closed = committer.close_until(t0 + 2 * kPeriodUs);
    QCOMPARE(closed.size(), std::size_t{8});  // 4 lamps x 2 periods
    QCOMPARE(committer.open_periods(), std::size_t{0});

    v1::Transaction commit_tx;
    commit_tx.set_nonce(1);
    commit_tx.set_fee(1);
    for (const auto& c : closed)
      *commit_tx.mutable_commit_readings()->add_commitments() = c.commitment;
    auto r = net.submit(0, net.signed_by(0, commit_tx));
    QVERIFY2(r.status == 200 && r.json["committed"].toBool(), r.body.constData());
    const std::uint64_t commit_height = r.json["height"].toString().toULongLong();

    // Another owner may not commit owner 0's lamp; a period is committed once.
    v1::Transaction theft;
    theft.set_nonce(1);
    theft.set_fee(1);
    *theft.mutable_commit_readings()->add_commitments() = closed[0].commitment;
    r = net.submit(1, net.signed_by(1, theft));
    QCOMPARE(r.status, 422);
    QVERIFY2(reason_of(r).contains("not the owner of device " + QString::fromStdString(lamp(0, 0))),
             r.body.constData());
    commit_tx.set_nonce(2);
    r = net.submit(2, net.signed_by(0, commit_tx));
    QCOMPARE(r.status, 422);
    QVERIFY2(reason_of(r).contains("is not after the last one committed"), r.body.constData());

    // ---- item 2: jobs ------------------------------------------------------------------
    v1::Transaction job_tx;
    job_tx.set_fee(1);
    v1::AnalyticsJob* job = job_tx.mutable_analytics_job();
    job->mutable_selection()->add_profiles("dimmable-lamp");
    job->set_metric("power");
    job->set_window_start_us(t0);
    job->set_window_end_us(t0 + 2 * kPeriodUs);
    job->add_aggregates(v1::AGGREGATE_SUM);
    job->set_template_name("energy-sum");
    job->set_escrow(600);
    job->set_min_devices(7);
    job_tx.set_nonce(1);
    r = net.submit(1, net.signed_by(2, job_tx));
    QCOMPARE(r.status, 422);
    QVERIFY2(reason_of(r).contains("matches 6 registered devices, fewer than k = 7: the job would "
                                   "reveal less than k devices' data"),
             r.body.constData());
    job->set_min_devices(6);
    const v1::Transaction accepted = net.signed_by(2, job_tx);
    r = net.submit(3, accepted);
    QVERIFY2(r.status == 200 && r.json["committed"].toBool(), r.body.constData());
    const std::uint64_t job_height = r.json["height"].toString().toULongLong();

    // Every validator serves the job's record and the buyer's balance once it has the block.
    const QString job_hex = QString::fromStdString(crypto::to_hex(ledger::tx_id(accepted)));
    const QString buyer_hex = QString::fromStdString(crypto::to_hex(net.account(2).public_key()));
    for (int i = 0; i < 4; ++i) {
      QVERIFY(eventually([&] { return net.height(i).value_or(0) >= job_height; }, 30000));
      auto rec = net.get(i, "/v1/analytics/jobs/" + job_hex);
      QVERIFY2(rec.status == 200, rec.body.constData());
      QCOMPARE(rec.json["escrow"].toString().toULongLong(), 600ull);
      QCOMPARE(rec.json["matchedDevices"].toInt(), 6);
      QCOMPARE(rec.json["state"].toString(), QString("JOB_STATE_OPEN"));
      auto acct = net.get(i, "/v1/accounts/" + buyer_hex);
      QCOMPARE(acct.json["balance"].toString().toULongLong(), 1'000'000ull - 600 - 1);
    }
    QCOMPARE(net.get(0, "/v1/analytics/jobs/" + QString(64, '0')).status, 404);
    QCOMPARE(net.get(0, "/v1/analytics/jobs/xyz").status, 400);

    // ---- the chain as another validator stores it ----------------------------------------
    QVERIFY(eventually([&] { return net.height(2).value_or(0) >= commit_height; }, 30000));
    std::map<std::string, std::vector<std::string>> on_chain;  // device -> commitments
    std::map<std::string, std::uint64_t> on_chain_count;
    std::string everything;  // every block's bytes and JSON, every answer's body
    const std::uint64_t head = *net.height(2);
    for (std::uint64_t h = 1; h <= head; ++h) {
      auto block = net.block(2, h);
      QVERIFY(block.has_value());
      everything += block->SerializeAsString();
      everything += net.get(2, "/v1/ledger/blocks/" + QString::number(h)).body.toStdString();
      for (const auto& tx : block->transactions()) {
        for (const auto& c : tx.commit_readings().commitments()) {
          on_chain[c.device_id()].push_back(c.commitment());
          on_chain_count[c.device_id()] += c.count();
        }
      }
    }
    for (const char* path : {"/v1/readings/recent?max=10000", "/v1/devices", "/v1/node"}) {
      everything += net.get(2, path).body.toStdString();
    }
    // No raw value: not the distinctive reading, as a double or in decimal.
    QVERIFY(!contains_bytes(everything, &kDistinctive, sizeof kDistinctive));
    QVERIFY(everything.find("4242.4242") == std::string::npos);

    // The sum of a lamp's commitments on the chain verifies against the true sum the owner
    // keeps (its openings), and the count on the chain is its readings' count.
    for (int i = 0; i < 4; ++i) {
      const std::string device = lamp(0, i);
      QCOMPARE(on_chain[device].size(), std::size_t{2});
      QCOMPARE(on_chain_count[device], true_count[device]);
      std::vector<analytics::Opening> openings;
      for (const auto& c : closed) {
        if (c.commitment.device_id() == device) openings.push_back(c.opening);
      }
      auto total = analytics::add_openings(openings);
      QVERIFY(total.ok());
      QCOMPARE(total->value, true_sum[device]);
      auto proof = analytics::prove_sum(*total, on_chain[device].size(), "job");
      QVERIFY(proof.ok());
      Status verified = analytics::verify_sum(on_chain[device], *proof);
      QVERIFY2(verified.ok(), verified.ToString().c_str());
      // One milliwatt more is caught.
      analytics::Opening lie = *total;
      lie.value += 1;
      auto wrong = analytics::prove_sum(lie, on_chain[device].size(), "job");
      QVERIFY(!analytics::verify_sum(on_chain[device], *wrong).ok());
    }
  }
};

QTEST_GUILESS_MAIN(ChainAnalyticsTest)
#include "chain_analytics_test.moc"
