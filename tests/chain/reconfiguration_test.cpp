// Validator-set changes on the main chain: a Reconfigure approved by 2f+1 of the current
// validators becomes the pending set, takes effect at the epoch boundary (the block at
// the pending first_height signs with it), and block headers commit to both sets. Every
// refusal names its reason and changes nothing.
#include <QtTest>

#include "chain_fixture.hpp"
#include "itc/chain/state.hpp"

using namespace itc;
using namespace itc::test;

namespace {

constexpr std::uint64_t kEpochBlocks = 4;

crypto::Ed25519PrivateKey payer() { return key_from('p'); }

v1::Genesis genesis() {
  v1::Genesis g = make_genesis(4, {{payer().public_key(), 1'000}});
  g.set_epoch_blocks(kEpochBlocks);
  return g;
}

// The genesis set with validator-3's key rotated to `new_key` (same machine, same address).
google::protobuf::RepeatedPtrField<v1::Validator> rotated(char new_key) {
  auto set = genesis().validators();
  set.Mutable(3)->set_public_key(key_from(new_key).public_key());
  return set;
}

// A Reconfigure to `epoch` paid by payer(), approved by `approvers` (index, key tag).
v1::Transaction reconfigure(std::uint64_t epoch,
                            const google::protobuf::RepeatedPtrField<v1::Validator>& set,
                            const std::vector<std::pair<std::uint32_t, char>>& approvers,
                            std::uint64_t nonce) {
  return signed_reconfigure(payer(), nonce, epoch, set, approvers);
}

const std::vector<std::pair<std::uint32_t, char>> kThreeOfFour = {{0, 'A'}, {1, 'B'}, {2, 'C'}};

void expect_refused(ledger::LedgerState& state, const v1::Transaction& tx,
                    const std::string& reason) {
  const std::string root = state.begin_block("").state_root();
  auto draft = state.begin_block("");
  Status s = draft.apply(tx);
  QVERIFY2(!s.ok(), "expected a refusal");
  QVERIFY2(s.message().find(reason) != std::string::npos, s.message().c_str());
  QCOMPARE(draft.state_root(), root);  // a refused change leaves nothing behind
}

}  // namespace

class ReconfigurationTest : public QObject {
  Q_OBJECT

 private slots:
  void theBoundaryIsAWholeEpochWindowAfterTheChange() {
    ledger::LedgerState state(genesis());
    QCOMPARE(state.epoch_blocks(), kEpochBlocks);
    QCOMPARE(ledger::LedgerState(make_genesis(4, {})).epoch_blocks(), std::uint64_t{100});
    // Committed at height 1 -> b = 5 (block 4 is the old epoch's last, b >= h + 2).
    auto b1 = commit_certified_block(state, std::string(32, '\0'),
                                     {reconfigure(1, rotated('Z'), kThreeOfFour, 1)});
    auto pending = state.pending_validators();
    QVERIFY(pending.has_value());
    QCOMPARE(pending->epoch(), std::uint64_t{1});
    QCOMPARE(pending->first_height(), std::uint64_t{5});
    QCOMPARE(state.validators().epoch(), std::uint64_t{0});  // still the genesis set

    // Headers commit to the signing set and the next one; only block 4 names the new set next.
    const std::string old_hash = ledger::validator_set_hash(genesis().validators());
    const std::string new_hash = ledger::validator_set_hash(rotated('Z'));
    QCOMPARE(b1.block.header().validators_hash(), old_hash);
    QCOMPARE(b1.block.header().next_validators_hash(), old_hash);
    std::string prev = b1.block.hash();
    for (std::uint64_t h = 2; h <= 4; ++h) {
      auto b = commit_certified_block(state, prev, {});
      prev = b.block.hash();
      QCOMPARE(b.block.header().epoch(), std::uint64_t{0});
      QCOMPARE(b.block.header().validators_hash(), old_hash);
      QCOMPARE(b.block.header().next_validators_hash(), h == 4 ? new_hash : old_hash);
    }
    auto b5 = commit_certified_block(state, prev, {});
    QCOMPARE(b5.block.header().epoch(), std::uint64_t{1});
    QCOMPARE(b5.block.header().validators_hash(), new_hash);
    QCOMPARE(b5.block.header().next_validators_hash(), new_hash);
    QCOMPARE(state.validators().epoch(), std::uint64_t{1});
    QCOMPARE(state.validators().first_height(), std::uint64_t{5});
    QCOMPARE(state.validators().validators(3).public_key(), key_from('Z').public_key());
    QVERIFY(!state.pending_validators().has_value());
    // The switch is in block 5's delta, so a store and a state proof show it.
    bool wrote_current = false;
    bool wrote_epoch = false;
    for (const auto& e : b5.delta.entries()) {
      if (e.key() == ledger::current_validators_key()) wrote_current = !e.value().empty();
      if (e.key() == ledger::epoch_validators_key(1)) wrote_epoch = !e.value().empty();
    }
    QVERIFY(wrote_current);
    QVERIFY(wrote_epoch);  // kept for good: epoch 1's set and its first height
    QCOMPARE(ledger::epoch_validators_key(1), std::string("v/epoch/00000000000000000001"));

    // A change committed in an epoch's last block waits a whole window.
    ledger::LedgerState late(genesis());
    prev = std::string(32, '\0');
    for (int i = 0; i < 3; ++i) prev = commit_certified_block(late, prev, {}).block.hash();
    commit_certified_block(late, prev, {reconfigure(1, rotated('Z'), kThreeOfFour, 1)});
    QCOMPARE(late.pending_validators()->first_height(), std::uint64_t{9});
  }

  void theNewSetApprovesTheNextChangeAndTheOldKeyNoLongerCounts() {
    ledger::LedgerState state(genesis());
    std::string prev = commit_certified_block(state, std::string(32, '\0'),
                                              {reconfigure(1, rotated('Z'), kThreeOfFour, 1)})
                           .block.hash();
    for (int h = 2; h <= 5; ++h) prev = commit_certified_block(state, prev, {}).block.hash();
    QCOMPARE(state.validators().epoch(), std::uint64_t{1});
    auto back = genesis().validators();  // epoch 2: validator-3's old key again
    // validator-3 approving with its old key: no longer its key.
    expect_refused(state, reconfigure(2, back, {{1, 'B'}, {2, 'C'}, {3, 'D'}}, 2),
                   "the signature of validator 3 (validator-3) does not verify over epoch 2");
    auto ok = reconfigure(2, back, {{1, 'B'}, {2, 'C'}, {3, 'Z'}}, 2);
    commit_certified_block(state, prev, {ok});
    QCOMPARE(state.pending_validators()->epoch(), std::uint64_t{2});
  }

  void refusalsNameTheReason() {
    ledger::LedgerState state(genesis());
    expect_refused(state, reconfigure(1, rotated('Z'), {{0, 'A'}, {1, 'B'}}, 1),
                   "2 approvals of epoch 0's validators; it needs 3 (2f+1 of 4)");
    expect_refused(state, reconfigure(1, rotated('Z'), {{0, 'A'}, {1, 'B'}, {7, 'Z'}}, 1),
                   "approval 2 names validator 7, not a validator of epoch 0 (it has 4)");
    expect_refused(state, reconfigure(1, rotated('Z'), {{0, 'A'}, {1, 'B'}, {1, 'B'}}, 1),
                   "approval 2: validator 1 (validator-1) approved twice");
    expect_refused(state, reconfigure(1, rotated('Z'), {{0, 'A'}, {1, 'B'}, {2, 'Z'}}, 1),
                   "approval 2: the signature of validator 2 (validator-2) does not verify");
    expect_refused(state, reconfigure(2, rotated('Z'), kThreeOfFour, 1),
                   "epoch 2, but the current epoch is 0 (a change names 1)");
    auto three = rotated('Z');
    three.RemoveLast();
    expect_refused(state, reconfigure(1, three, kThreeOfFour, 1),
                   "the new set has 3 validators; at least 4");
    auto twice = rotated('A');
    expect_refused(state, reconfigure(1, twice, kThreeOfFour, 1),
                   "validators[3] (validator-3): duplicate key");
    auto same_address = rotated('Z');
    same_address.Mutable(3)->set_address(same_address.Get(0).address());
    expect_refused(state, reconfigure(1, same_address, kThreeOfFour, 1), "duplicate address");
    auto bad_key = rotated('Z');
    bad_key.Mutable(2)->set_public_key("short");
    expect_refused(state, reconfigure(1, bad_key, kThreeOfFour, 1), "validators[2].public_key");
    expect_refused(state, reconfigure(1, genesis().validators(), kThreeOfFour, 1),
                   "the new set is the current set");
    // Approvals cover the whole new set: a set altered after signing does not verify.
    auto altered = reconfigure(1, rotated('Z'), kThreeOfFour, 1);
    altered.mutable_reconfigure()->mutable_validators(3)->set_address("10.0.0.9:7103");
    ledger::sign_tx(kChainId, &altered, payer());
    expect_refused(state, altered, "approval 0: the signature of validator 0 (validator-0)");

    commit_certified_block(state, std::string(32, '\0'),
                           {reconfigure(1, rotated('Z'), kThreeOfFour, 1)});
    auto other = rotated('Y');
    expect_refused(state, reconfigure(1, other, kThreeOfFour, 2),
                   "a change to epoch 1 is already pending (it takes effect at height 5)");
  }
};

QTEST_GUILESS_MAIN(ReconfigurationTest)
#include "reconfiguration_test.moc"
