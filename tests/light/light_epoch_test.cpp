// A light client following validator-set changes: a real chain (LedgerState, genesis of
// 4 validators, epochs of 4 blocks) rotates validator-3's key into epoch 1 and
// validator-0's into epoch 2, each block certified by its own epoch's keys. A client
// initialised at genesis applies the two epoch updates in order (one proof each, the
// State stays its fixed size) and verifies a balance in the newest epoch; forged updates,
// headers of an epoch it has not reached, and a client past its trust period are refused
// with the reason.
#include <QtTest>

#include "epoch_chain.hpp"
#include "itc/light/state_file.hpp"

using namespace itc;
using namespace itc::test;

namespace {

constexpr std::int64_t kDay = 86'400'000'000;

void expect_verdict(light::Outcome o, light::Verdict v) {
  QVERIFY2(o.verdict == v, (std::string("got ") + light::verdict_name(o.verdict) + ", expected " +
                            light::verdict_name(v))
                               .c_str());
}

light::Outcome apply(light::State* s, const std::string& m, std::int64_t now) {
  return light::apply_epoch_update(s, bytes_of(m), m.size(), now);
}

}  // namespace

class LightEpochTest : public QObject {
  Q_OBJECT

  EpochChain chain_;
  std::int64_t now_ = 0;

 private slots:
  void initTestCase() {
    now_ = chain_.block(9).header().timestamp_us() + 1'000'000;
    QCOMPARE(chain_.state.validators().epoch(), std::uint64_t{2});
    QCOMPARE(chain_.block(9).header().epoch(), std::uint64_t{2});
  }

  void aClientAtGenesisFollowsTwoEpochsAndVerifiesABalanceInTheNewest() {
    light::State s = chain_.trusting();
    const std::size_t size_before = sizeof s;
    const std::string head9 =
        light::prover::header_update(chain_.block(9).header(), chain_.block(9).qc()).value();
    // Not reached yet: epoch 2's header and epoch 2's update.
    expect_verdict(light::apply_header(&s, bytes_of(head9), head9.size()),
                   light::Verdict::kWrongEpoch);
    expect_verdict(apply(&s, chain_.update(2), now_), light::Verdict::kWrongEpoch);

    QVERIFY(apply(&s, chain_.update(1), now_).ok());
    QCOMPARE(s.epoch, std::uint64_t{1});
    QCOMPARE(s.header.height, std::uint64_t{4});
    QVERIFY(std::memcmp(s.validators[3].public_key, key_from('Z').public_key().data(), 32) == 0);
    QVERIFY(apply(&s, chain_.update(1), now_).ok() == false);  // epoch 1 -> 1 again: refused
    QVERIFY(apply(&s, chain_.update(2), now_).ok());
    QCOMPARE(s.epoch, std::uint64_t{2});
    QCOMPARE(s.header.height, std::uint64_t{8});
    QCOMPARE(sizeof s, size_before);

    const std::string key = ledger::account_key(chain_.bob.public_key());
    const std::string proof =
        light::prover::state_proof(chain_.state, chain_.block(9), key).value();
    light::Bytes value{};
    QVERIFY(
        light::verify_state(&s, bytes_of(proof), proof.size(), bytes_of(key), key.size(), &value)
            .ok());
    light::Account account{};
    QVERIFY(light::decode_account(value, &account).ok());
    QCOMPARE(account.balance, chain_.state.account(chain_.bob.public_key())->balance());
    QCOMPARE(s.header.height, std::uint64_t{9});

    // The whole state, epoch and new set included, survives the state file.
    std::uint8_t file[light::kMaxStateBytes];
    const std::size_t n = light::encode_state(s, file, sizeof file);
    QVERIFY(n > 0);
    light::State back{};
    QVERIFY(light::decode_state(file, n, &back).ok());
    QCOMPARE(back.epoch, std::uint64_t{2});
    QVERIFY(std::memcmp(back.validators, s.validators, sizeof s.validators) == 0);
  }

  void anOldKeyNoLongerCertifiesAHeader() {
    light::State s = chain_.trusting();
    QVERIFY(apply(&s, chain_.update(1), now_).ok());
    // Block 5 (epoch 1) with validator-3's old key among the signers.
    v1::Block b = chain_.block(5);
    *b.mutable_qc() = qc_by(b, {{1, 'B'}, {2, 'C'}, {3, 'D'}});
    const std::string m = light::prover::header_update(b.header(), b.qc()).value();
    const light::Outcome o = light::apply_header(&s, bytes_of(m), m.size());
    expect_verdict(o, light::Verdict::kBadSignature);
    QCOMPARE(o.detail, 3u);
  }

  void forgedUpdatesAreRefusedWithTheReason() {
    const light::State start = chain_.trusting();
    // A node serving another next set with the real certified header.
    v1::ValidatorEpoch evil = chain_.epoch_set(1);
    evil.mutable_validators(3)->set_public_key(key_from('E').public_key());
    std::string forged = chain_.update(1);
    forged.replace(forged.size() - 40, 32, evil.validators(3).public_key());
    light::State s = start;
    expect_verdict(apply(&s, forged, now_), light::Verdict::kNextSetMismatch);
    QCOMPARE(s.epoch, std::uint64_t{0});  // unchanged

    // The header altered to name the evil set next, the old set's QC kept.
    v1::Block altered = chain_.block(4);
    altered.mutable_header()->set_next_validators_hash(
        ledger::validator_set_hash(evil.validators()));
    altered.set_hash(block_hash(altered.header()));
    *altered.mutable_qc() = chain_.block(4).qc();
    altered.mutable_qc()->set_block_hash(altered.hash());
    expect_verdict(apply(&s, light::prover::epoch_update(altered, evil).value(), now_),
                   light::Verdict::kBadSignature);

    // A minority of the old set certifying it.
    v1::Block minority = chain_.block(4);
    *minority.mutable_qc() = qc_by(minority, {{0, 'A'}, {1, 'B'}});
    expect_verdict(
        apply(&s, light::prover::epoch_update(minority, chain_.epoch_set(1)).value(), now_),
        light::Verdict::kTooFewSigners);

    // A header that does not end its epoch, passed off as an update.
    std::string mid =
        light::prover::header_update(chain_.block(3).header(), chain_.block(3).qc()).value();
    mid[5] = 6;  // kind: epoch update
    const std::string tail = chain_.update(1).substr(chain_.update(1).size() - (8 + 1 + 4 * 40));
    expect_verdict(apply(&s, mid + tail, now_), light::Verdict::kNotEpochEnd);

    // Every truncation fails cleanly.
    const std::string good = chain_.update(1);
    for (std::size_t cut = 0; cut < good.size(); ++cut) {
      light::State t = start;
      QVERIFY(!apply(&t, good.substr(0, cut), now_).ok());
      QCOMPARE(t.epoch, std::uint64_t{0});
    }
    QVERIFY(!apply(&s, good + '\0', now_).ok());
    QCOMPARE(s.epoch, std::uint64_t{0});
    QCOMPARE(s.header.height, std::uint64_t{0});
  }

  void aClientPastItsTrustPeriodRefuses() {
    light::State s = chain_.trusting();
    const std::int64_t set_up = chain_.block(1).header().timestamp_us();
    QVERIFY(light::set_trust_period(&s, static_cast<std::uint64_t>(kDay), set_up).ok());
    QVERIFY(light::check_trust(s, set_up + kDay).ok());
    const light::Outcome late = light::check_trust(s, set_up + 2 * kDay);
    expect_verdict(late, light::Verdict::kTrustExpired);
    QCOMPARE(late.detail, 86'400u);  // seconds past the period
    expect_verdict(apply(&s, chain_.update(1), set_up + 2 * kDay), light::Verdict::kTrustExpired);
    QCOMPARE(s.epoch, std::uint64_t{0});
    // Within the period the update applies and trust moves to its header's time.
    QVERIFY(apply(&s, chain_.update(1), set_up + kDay / 2).ok());
    QCOMPARE(s.trusted_time_us, chain_.block(4).header().timestamp_us());
    expect_verdict(light::check_trust(s, chain_.block(4).header().timestamp_us() + 3 * kDay),
                   light::Verdict::kTrustExpired);
    // The period is part of the state file.
    std::uint8_t file[light::kMaxStateBytes];
    light::State back{};
    QVERIFY(light::decode_state(file, light::encode_state(s, file, sizeof file), &back).ok());
    QCOMPARE(back.trust_period_us, static_cast<std::uint64_t>(kDay));
    QCOMPARE(back.trusted_time_us, s.trusted_time_us);
  }
};

QTEST_GUILESS_MAIN(LightEpochTest)
#include "light_epoch_test.moc"
