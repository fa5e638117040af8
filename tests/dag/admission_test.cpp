// Admission: every rule refuses with its reason and counts it; one issuer's flood leaves
// the others unaffected. (Parents: parents_test.cpp.)
#include <QtTest>

#include "dag_fixture.hpp"

using namespace itc;
using namespace itc::dag;
using namespace itc::dag::testing;

namespace {

using Outcome = SubmitResult::Outcome;

// Re-signs `tx` with `key` after the caller changed it (keeping its nonce).
void resign(v1::DeviceTransaction* tx, const crypto::Ed25519PrivateKey& key) {
  tx->set_signature(key.sign(signed_bytes(*tx)));
}

}  // namespace

class AdmissionTest : public QObject {
  Q_OBJECT

 private slots:
  void wellFormedTransactionIsAdmittedAsATip() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    const auto tx = lamp_reading(fleet, "lamp-1", entry_points());
    const auto r = engine->submit(bytes_of(tx), kNow);
    QVERIFY2(r.outcome == Outcome::kAdmitted, r.message.c_str());
    QCOMPARE(r.attached, std::vector<std::string>{id_of(tx)});
    QCOMPARE(static_cast<int>(engine->status(id_of(tx)).state),
             static_cast<int>(TxStatus::State::kPending));
    QCOMPARE(engine->select_tips(1, kNow), std::vector<std::string>{id_of(tx)});
  }

  void malformedBytesAreRefusedAndCounted() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    expect_refusal(engine->submit("not a transaction", kNow), Refusal::kMalformed, "transaction");
    QCOMPARE(engine->refusals(Refusal::kMalformed), 1u);
  }

  void parsedMessageGetsTheSameChecksAsBytes() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    const auto tx = lamp_reading(fleet, "lamp-1", entry_points());
    const auto r = engine->submit(tx, kNow);
    QVERIFY2(r.outcome == Outcome::kAdmitted, r.message.c_str());
    QCOMPARE(r.id, id_of(tx));
    expect_refusal(engine->submit(bytes_of(tx), kNow), Refusal::kDuplicate, "already held");
    auto odd = lamp_reading(fleet, "lamp-1", entry_points());
    odd.GetReflection()->MutableUnknownFields(&odd)->AddVarint(99, 1);
    expect_refusal(engine->submit(odd, kNow), Refusal::kMalformed, "unknown fields");
    odd = lamp_reading(fleet, "lamp-1", entry_points());
    odd.add_parents(odd.parents(0));
    expect_refusal(engine->submit(odd, kNow), Refusal::kMalformed, "parents[2]: named twice");
  }

  void forgedSignatureIsRefused() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    auto tx = lamp_reading(fleet, "lamp-1", entry_points());
    resign(&tx, key_for("mallory"));  // right issuer key named, wrong private key
    expect_refusal(engine->submit(bytes_of(tx), kNow), Refusal::kSignature, "does not verify");
    // A changed reading under the lamp's old signature: the same.
    auto altered = lamp_reading(fleet, "lamp-1", entry_points());
    altered.mutable_readings()->mutable_readings(0)->set_value(999);
    altered.set_nonce(solve_pow(crypto::sha256(transaction_body(altered)), 6));  // work redone
    expect_refusal(engine->submit(bytes_of(altered), kNow), Refusal::kSignature, "does not verify");
    QCOMPARE(engine->refusals(Refusal::kSignature), 2u);
    QCOMPARE(engine->held(), 0u);
  }

  void tooLittleProofOfWorkIsRefused() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    auto tx = lamp_reading(fleet, "lamp-1", entry_points());
    // A nonce whose hash has fewer than the lamp level's 6 leading zero bits.
    const std::string digest = crypto::sha256(transaction_body(tx));
    std::uint64_t nonce = 0;
    while (leading_zero_bits(pow_hash(digest, nonce)) >= 6) ++nonce;
    tx.set_nonce(nonce);
    resign(&tx, key_for("lamp-1"));
    expect_refusal(engine->submit(bytes_of(tx), kNow), Refusal::kPow, "level needs 6");
  }

  void stakedIssuerPaysLessWork() {
    Fleet fleet;
    auto params = test_parameters();
    params.mutable_levels(0)->mutable_staked()->set_pow_bits(0);  // lamp, staked
    auto key = key_for("staked-lamp");
    fleet.directory.put(key.public_key(), IssuerInfo{IssuerKind::kDevice, "lamp", 5000, "s"});
    TransactionIssuer issuer(std::move(key), 0);
    auto engine = make_engine(fleet, {}, 1, params);
    // Find a transaction whose nonce 0 has fewer than 6 bits: only the stake admits it.
    v1::DeviceTransaction tx;
    do {
      tx = issuer.issue_readings({reading("s", 1)}, entry_points(), kNow);
    } while (leading_zero_bits(pow_hash(crypto::sha256(transaction_body(tx)), tx.nonce())) >= 6);
    const auto r = engine->submit(bytes_of(tx), kNow);
    QVERIFY2(r.outcome == Outcome::kAdmitted, r.message.c_str());
    fleet.directory.put(issuer.public_key(), IssuerInfo{IssuerKind::kDevice, "lamp", 10, "s"});
    do {
      tx = issuer.issue_readings({reading("s", 2)}, entry_points(), kNow);
    } while (leading_zero_bits(pow_hash(crypto::sha256(transaction_body(tx)), tx.nonce())) >= 6);
    expect_refusal(engine->submit(bytes_of(tx), kNow), Refusal::kPow, "needs 6");
  }

  void unknownIssuerIsRefused() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    TransactionIssuer stranger(key_for("stranger"), 6);
    const auto tx = stranger.issue_readings({reading("stranger", 1)}, entry_points(), kNow);
    expect_refusal(engine->submit(bytes_of(tx), kNow), Refusal::kUnknownIssuer,
                   "is not registered");
    fleet.directory.put(stranger.public_key(), IssuerInfo{IssuerKind::kDevice, "toaster", 0, ""});
    expect_refusal(engine->submit(bytes_of(tx), kNow), Refusal::kUnknownIssuer,
                   "\"toaster\" has no security level");
  }

  void readingsOnlyOfDevicesRegisteredUnderTheIssuer() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    fleet.lamp("lamp-2");
    const auto forged =
        fleet.lamp("lamp-1").issue_readings({reading("lamp-2", 1)}, entry_points(), kNow);
    expect_refusal(engine->submit(bytes_of(forged), kNow), Refusal::kForeignReading,
                   "device \"lamp-2\", which signs through another key");
    // A gateway bundles the readings of the devices registered through it, and no others.
    std::vector<std::string> devices;
    std::vector<v1::Reading> many;
    for (int i = 0; i < 200; ++i) {
      devices.push_back("modbus-" + std::to_string(i));
      many.push_back(reading(devices.back(), i));
    }
    auto& gateway = fleet.gateway("gw", devices);
    const auto bundle = gateway.issue_readings(many, entry_points(), kNow);
    QVERIFY(engine->submit(bytes_of(bundle), kNow).outcome == Outcome::kAdmitted);
    many.push_back(reading("modbus-unregistered", 1));
    const auto stray = gateway.issue_readings(many, entry_points(), kNow);
    expect_refusal(engine->submit(bytes_of(stray), kNow), Refusal::kForeignReading,
                   "device \"modbus-unregistered\", which is not registered");
    many.back() = reading("lamp-1", 1);  // a signing lamp's reading vouched for by a gateway
    const auto theft = gateway.issue_readings(many, entry_points(), kNow);
    expect_refusal(engine->submit(bytes_of(theft), kNow), Refusal::kForeignReading,
                   "device \"lamp-1\", which signs through another key");
  }

  void parametersAreCheckedNamingTheField() {
    Fleet fleet;
    DagOptions o;
    o.params = test_parameters();
    o.params.mutable_levels(1)->mutable_staked()->set_burst(0);
    o.entry_points = entry_points();
    const auto e = DagEngine::create(o, fleet.directory);
    QVERIFY(!e.ok());
    QCOMPARE(QString::fromStdString(e.status().message()),
             QString("levels[1].staked.burst: must be > 0"));
    o.params = test_parameters();
    o.params.set_max_delta_oldest_root(16);
    QVERIFY(DagEngine::create(o, fleet.directory)
                .status()
                .message()
                .rfind("max_delta_oldest_root", 0) == 0);
    o.params = test_parameters();
    o.entry_points.pop_back();
    QVERIFY(DagEngine::create(o, fleet.directory).status().message().rfind("entry_points", 0) == 0);
  }

  void issueTimeOutsideTheWindowIsRefused() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    const auto params = test_parameters();
    const auto old =
        lamp_reading(fleet, "lamp-1", entry_points(), kNow - params.issue_window_past_us() - 1);
    expect_refusal(engine->submit(bytes_of(old), kNow), Refusal::kIssueTime, "outside the window");
    const auto future =
        lamp_reading(fleet, "lamp-1", entry_points(), kNow + params.issue_window_future_us() + 1);
    expect_refusal(engine->submit(bytes_of(future), kNow), Refusal::kIssueTime, "outside");
    const auto edge =
        lamp_reading(fleet, "lamp-1", entry_points(), kNow + params.issue_window_future_us());
    QVERIFY(engine->submit(bytes_of(edge), kNow).outcome == Outcome::kAdmitted);
  }

  void duplicateIsRecognisedNotReadmitted() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    const auto tx = lamp_reading(fleet, "lamp-1", entry_points());
    QVERIFY(engine->submit(bytes_of(tx), kNow).outcome == Outcome::kAdmitted);
    expect_refusal(engine->submit(bytes_of(tx), kNow), Refusal::kDuplicate, "already held");
    QCOMPARE(engine->admitted(), 1u);
    QCOMPARE(engine->held(), 1u);
    // A waiting one is a duplicate too.
    const auto orphan = lamp_reading(fleet, "lamp-2", {crypto::sha256("x"), crypto::sha256("y")});
    QVERIFY(engine->submit(bytes_of(orphan), kNow).outcome == Outcome::kWaiting);
    expect_refusal(engine->submit(bytes_of(orphan), kNow), Refusal::kDuplicate, "already held");
  }

  void floodingIssuerIsRefusedOthersUnaffected() {
    Fleet fleet;
    auto engine = make_engine(fleet);
    int admitted = 0, rate = 0;
    for (int i = 0; i < 50; ++i) {  // 50 at one instant; the lamp's burst is 5
      const auto r =
          engine->submit(bytes_of(lamp_reading(fleet, "flooder", entry_points(), kNow, i)), kNow);
      admitted += r.outcome == Outcome::kAdmitted;
      rate += r.outcome == Outcome::kRefused && r.reason == Refusal::kRate;
    }
    QCOMPARE(admitted, 5);
    QCOMPARE(rate, 45);
    for (int lamp = 0; lamp < 5; ++lamp) {
      const std::string name = "quiet-" + std::to_string(lamp);
      const auto r = engine->submit(bytes_of(lamp_reading(fleet, name, entry_points())), kNow);
      QVERIFY2(r.outcome == Outcome::kAdmitted, r.message.c_str());
    }
    // The flooder's bucket refills at 5/s: one more after 200 ms, not two.
    const std::int64_t later = kNow + 200'000;
    QVERIFY(
        engine->submit(bytes_of(lamp_reading(fleet, "flooder", entry_points(), later, 100)), later)
            .outcome == Outcome::kAdmitted);
    QVERIFY(
        engine->submit(bytes_of(lamp_reading(fleet, "flooder", entry_points(), later, 101)), later)
            .reason == Refusal::kRate);
    QCOMPARE(engine->refusals(Refusal::kRate), 46u);
  }
};

QTEST_GUILESS_MAIN(AdmissionTest)
#include "admission_test.moc"
