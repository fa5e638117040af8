// The ledger state's root and its pending/commit/discard life cycle: what lets every
// validator agree on the state after a block, and a restarted node trust what it stored.
#include <QtTest>
#include <map>
#include <set>

#include "chain_fixture.hpp"
#include "itc/canonical_bytes.hpp"
#include "itc/chain/state.hpp"
#include "itc/merkle.hpp"

using namespace itc;
using ledger::LedgerState;

namespace {

const crypto::Ed25519PrivateKey kAlice = test::key_from('a');
const crypto::Ed25519PrivateKey kBob = test::key_from('b');
const crypto::Ed25519PrivateKey kCarol = test::key_from('c');
const crypto::Ed25519PrivateKey kDave = test::key_from('e');
const std::string kProposer = test::key_from('A').public_key();

v1::Genesis genesis() {
  return test::make_genesis(
      4, {{kAlice.public_key(), 1000}, {kBob.public_key(), 1000}, {kCarol.public_key(), 1000}}, 1);
}

std::string account_bytes(std::uint64_t balance, std::uint64_t nonce = 0) {
  v1::Account a;
  a.set_balance(balance);
  a.set_nonce(nonce);
  return deterministic_bytes(a);
}

void put_be32(std::size_t v, std::string* out) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// The state root exactly as state.hpp specifies it, written independently of the library:
// 4096 buckets by the first 12 bits of SHA-256(key), each hashed over len‖key‖len‖value
// in key order, RFC 6962 root over the bucket hashes.
std::string reference_root(const std::map<std::string, std::string>& entries) {
  std::vector<std::string> buckets(4096);
  for (const auto& [key, value] : entries) {  // std::map: key order
    const std::string h = crypto::sha256(key);
    const std::size_t b =
        (static_cast<unsigned char>(h[0]) << 4) | (static_cast<unsigned char>(h[1]) >> 4);
    put_be32(key.size(), &buckets[b]);
    buckets[b] += key;
    put_be32(value.size(), &buckets[b]);
    buckets[b] += value;
  }
  std::vector<std::string> hashes;
  for (const std::string& bytes : buckets) hashes.push_back(crypto::sha256(bytes));
  return merkle::root(hashes);
}

std::vector<v1::StateEntry> entries_of(const std::map<std::string, std::string>& m) {
  std::vector<v1::StateEntry> out;
  for (const auto& [k, v] : m) {
    v1::StateEntry e;
    e.set_key(k);
    e.set_value(v);
    out.push_back(e);
  }
  return out;
}

// Applies the transactions as one block and commits it; QVERIFY-style failures show.
v1::StateDelta commit_block(LedgerState& state, const std::vector<v1::Transaction>& txs) {
  LedgerState::BlockDraft draft = state.begin_block(kProposer);
  for (const v1::Transaction& tx : txs) {
    Status s = draft.apply(tx);
    if (!s.ok()) qWarning("apply failed: %s", s.ToString().c_str());
  }
  state.push_pending(std::move(draft));
  return state.commit_oldest();
}

}  // namespace

class LedgerStateTest : public QObject {
  Q_OBJECT

 private slots:
  void rootFollowsTheSpecifiedLayout() {
    std::map<std::string, std::string> expected = {
        {ledger::account_key(kAlice.public_key()), account_bytes(1000)},
        {ledger::account_key(kBob.public_key()), account_bytes(1000)},
        {ledger::account_key(kCarol.public_key()), account_bytes(1000)}};
    LedgerState state(genesis());
    QCOMPARE(crypto::to_hex(state.committed_root()), crypto::to_hex(reference_root(expected)));

    commit_block(state, {test::signed_transfer(kAlice, kDave.public_key(), 10, 1, 1)});
    expected[ledger::account_key(kAlice.public_key())] = account_bytes(989, 1);
    expected[ledger::account_key(kDave.public_key())] = account_bytes(10);
    expected[ledger::account_key(kProposer)] = account_bytes(1);
    QCOMPARE(crypto::to_hex(state.committed_root()), crypto::to_hex(reference_root(expected)));
    QCOMPARE(reference_root({}), LedgerState(test::make_genesis(1, {})).committed_root());
  }

  void sameStateInDifferentOrdersHasTheSameRoot() {
    const v1::Transaction a = test::signed_transfer(kAlice, kDave.public_key(), 10, 1);
    const v1::Transaction b = test::signed_transfer(kBob, kCarol.public_key(), 20, 1);
    const v1::Transaction c = test::signed_transfer(kCarol, kAlice.public_key(), 30, 1);

    LedgerState one(genesis());
    commit_block(one, {a, b, c});
    LedgerState two(genesis());
    commit_block(two, {c});
    commit_block(two, {b, a});
    LedgerState three(genesis());
    commit_block(three, {b});
    commit_block(three, {a});
    commit_block(three, {c});
    QCOMPARE(one.committed_root(), two.committed_root());
    QCOMPARE(one.committed_root(), three.committed_root());
    QVERIFY(one.committed_root() != LedgerState(genesis()).committed_root());
  }

  void anyChangedValueChangesTheRoot() {
    const std::string base = LedgerState(genesis()).committed_root();
    std::set<std::string> roots = {base};
    for (std::uint64_t balance : {999u, 1001u}) {
      v1::Genesis g = genesis();
      g.mutable_allocations(1)->set_balance(balance);
      roots.insert(LedgerState(g).committed_root());
    }
    v1::Genesis swapped = genesis();  // same balances, a different holder
    swapped.mutable_allocations(2)->set_account(kDave.public_key());
    roots.insert(LedgerState(swapped).committed_root());
    // One nonce more, balances equal: a different state.
    LedgerState anchored(test::make_genesis(
        4, {{kAlice.public_key(), 1000}, {kBob.public_key(), 1000}, {kCarol.public_key(), 1000}}, 0,
        true));
    v1::Transaction anchor;
    anchor.set_sender(kAlice.public_key());
    anchor.set_nonce(1);
    anchor.mutable_anchor()->set_data("x");
    commit_block(anchored, {anchor});
    roots.insert(anchored.committed_root());
    QCOMPARE(roots.size(), 5u);
  }

  void pendingBlocksStackAndCommitInOrder() {
    LedgerState state(genesis());
    const std::string genesis_root = state.committed_root();

    LedgerState::BlockDraft first = state.begin_block(kProposer);
    QCOMPARE(first.height(), 1u);
    QVERIFY(first.apply(test::signed_transfer(kAlice, kBob.public_key(), 100, 1)).ok());
    const std::string root1 = first.state_root();
    state.push_pending(std::move(first));

    // Block 2 is built on block 1 before it commits: it sees Alice's nonce 1 and balance.
    LedgerState::BlockDraft second = state.begin_block(kProposer);
    QCOMPARE(second.height(), 2u);
    QVERIFY(mentions(second.apply(test::signed_transfer(kAlice, kBob.public_key(), 1, 1)),
                     "nonce 1 already used"));
    QVERIFY(mentions(second.apply(test::signed_transfer(kAlice, kBob.public_key(), 899, 2)),
                     "overdraft: balance 899, needs 900"));
    QVERIFY(second.apply(test::signed_transfer(kAlice, kBob.public_key(), 898, 2)).ok());
    const std::string root2 = second.state_root();
    state.push_pending(std::move(second));
    QCOMPARE(state.pending_blocks(), 2u);

    // Clients see only committed values.
    QCOMPARE(state.committed_height(), 0u);
    QCOMPARE(state.committed_root(), genesis_root);
    QCOMPARE(state.account(kAlice.public_key())->balance(), 1000u);

    v1::StateDelta d1 = state.commit_oldest();
    QCOMPARE(state.committed_height(), 1u);
    QCOMPARE(state.committed_root(), root1);
    QCOMPARE(state.account(kAlice.public_key())->balance(), 899u);
    for (int i = 1; i < d1.entries_size(); ++i) {
      QVERIFY(d1.entries(i - 1).key() < d1.entries(i).key());
    }
    // Block 1's delta carries the genesis entries too: a store that applied it holds the
    // whole state, and restoring from it alone gives the same root.
    {
      LedgerState restored(genesis());
      std::vector<v1::StateEntry> entries(d1.entries().begin(), d1.entries().end());
      QVERIFY(restored.restore(entries, 1, root1).ok());
    }
    state.commit_oldest();
    QCOMPARE(state.committed_height(), 2u);
    QCOMPARE(state.committed_root(), root2);
    QCOMPARE(state.account(kAlice.public_key())->balance(), 0u);
    QCOMPARE(state.pending_blocks(), 0u);
    QCOMPARE(state.commit_oldest().entries_size(), 0);  // nothing pending: nothing happens
    QCOMPARE(state.committed_height(), 2u);
  }

  void discardDropsEveryPendingBlock() {
    LedgerState state(genesis());
    commit_block(state, {test::signed_transfer(kAlice, kBob.public_key(), 1, 1)});
    const std::string committed = state.committed_root();
    LedgerState::BlockDraft draft = state.begin_block(kProposer);
    QVERIFY(draft.apply(test::signed_transfer(kAlice, kBob.public_key(), 5, 2)).ok());
    state.push_pending(std::move(draft));
    LedgerState::BlockDraft more = state.begin_block(kProposer);
    QVERIFY(more.apply(test::signed_transfer(kAlice, kBob.public_key(), 5, 3)).ok());
    state.push_pending(std::move(more));

    state.discard_pending();  // a view change: the new primary proposes again
    QCOMPARE(state.pending_blocks(), 0u);
    QCOMPARE(state.committed_height(), 1u);
    QCOMPARE(state.committed_root(), committed);
    LedgerState::BlockDraft again = state.begin_block(kProposer);
    QCOMPARE(again.height(), 2u);
    QCOMPARE(again.state_root(), committed);
    QVERIFY(again.apply(test::signed_transfer(kAlice, kBob.public_key(), 5, 2)).ok());
  }

  void restoreChecksTheRootAndKeepsTheStateOnMismatch() {
    LedgerState source(genesis());
    std::map<std::string, std::string> stored;
    const v1::Genesis g = genesis();
    for (const auto& a : g.allocations()) {
      stored[ledger::account_key(a.account())] = account_bytes(a.balance());
    }
    for (int h = 1; h <= 3; ++h) {
      v1::StateDelta d = commit_block(
          source,
          {test::signed_transfer(kAlice, kDave.public_key(), 1, static_cast<std::uint64_t>(h))});
      for (const auto& e : d.entries()) stored[e.key()] = e.value();  // what a store keeps
    }

    LedgerState restarted(genesis());
    const std::string genesis_root = restarted.committed_root();
    std::vector<v1::StateEntry> entries = entries_of(stored);
    entries.back().set_value(entries.back().value() + "x");  // damaged on disk
    Status bad = restarted.restore(entries, 3, source.committed_root());
    QCOMPARE(bad.code(), Status::Code::kCorruption);
    QVERIFY2(mentions(bad, "height 3"), bad.ToString().c_str());
    QCOMPARE(restarted.committed_root(), genesis_root);
    QCOMPARE(restarted.committed_height(), 0u);

    LedgerState::BlockDraft stale = restarted.begin_block(kProposer);
    restarted.push_pending(std::move(stale));
    Status good = restarted.restore(entries_of(stored), 3, source.committed_root());
    QVERIFY2(good.ok(), good.ToString().c_str());
    QCOMPARE(restarted.committed_height(), 3u);
    QCOMPARE(restarted.pending_blocks(), 0u);
    QCOMPARE(restarted.committed_root(), source.committed_root());
    QCOMPARE(restarted.account(kDave.public_key())->balance(), 3u);
    // It carries on exactly like the node that never stopped.
    const v1::Transaction next = test::signed_transfer(kBob, kCarol.public_key(), 9, 1);
    commit_block(source, {next});
    commit_block(restarted, {next});
    QCOMPARE(restarted.committed_root(), source.committed_root());
  }

 private:
  static bool mentions(const Status& s, std::string_view text) {
    if (s.message().find(text) != std::string::npos) return true;
    qWarning("'%s' does not mention '%.*s'", s.ToString().c_str(), static_cast<int>(text.size()),
             text.data());
    return false;
  }
};

QTEST_GUILESS_MAIN(LedgerStateTest)
#include "ledger_state_test.moc"
