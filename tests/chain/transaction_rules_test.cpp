// The main chain's transaction rules, as a wallet user meets them: what is signed, what
// the state machine accepts, and the reason it gives when it refuses.
#include <QtTest>

#include "chain_fixture.hpp"
#include "itc/chain/state.hpp"
#include "itc/ledger/block_commitments.hpp"

using namespace itc;
using ledger::LedgerState;

namespace {

const crypto::Ed25519PrivateKey kAlice = test::key_from('a');
const crypto::Ed25519PrivateKey kBob = test::key_from('b');
const crypto::Ed25519PrivateKey kCarol = test::key_from('c');
const std::string kProposer = test::key_from('A').public_key();  // validator-0

bool mentions(const Status& s, std::string_view text) {
  return s.message().find(text) != std::string::npos;
}

// Alice holds 1000, Bob 50; min fee 10.
v1::Genesis funded_genesis(bool unsigned_anchors = false) {
  return test::make_genesis(4, {{kAlice.public_key(), 1000}, {kBob.public_key(), 50}}, 10,
                            unsigned_anchors);
}

std::uint64_t balance(const LedgerState& state, const crypto::Ed25519PrivateKey& who) {
  auto a = state.account(who.public_key());
  return a ? a->balance() : 0;
}

// Applies `tx` alone in a new block and commits it; returns apply's status.
Status apply_and_commit(LedgerState& state, const v1::Transaction& tx) {
  LedgerState::BlockDraft draft = state.begin_block(kProposer);
  Status s = draft.apply(tx);
  state.push_pending(std::move(draft));
  state.commit_oldest();
  return s;
}

}  // namespace

class TransactionRulesTest : public QObject {
  Q_OBJECT

 private slots:
  // ---- signatures ----------------------------------------------------------------------

  void signedTransactionVerifiesOnItsChainOnly() {
    v1::Transaction tx = test::signed_transfer(kAlice, kBob.public_key(), 5, 1, 10);
    QCOMPARE(tx.sender(), kAlice.public_key());
    QVERIFY(ledger::check_tx_signature(test::kChainId, tx, false).ok());

    Status other = ledger::check_tx_signature("itc-other", tx, false);
    QCOMPARE(other.code(), Status::Code::kPermissionDenied);
    QVERIFY2(mentions(other, "does not verify") && mentions(other, "itc-other"),
             other.ToString().c_str());
    // The chain id is part of the signed bytes, length-prefixed.
    QVERIFY(ledger::tx_signing_bytes("a", tx) != ledger::tx_signing_bytes("ab", tx));
    QVERIFY(ledger::tx_signing_bytes("a", tx).starts_with("itc-tx-v1"));
  }

  void tamperedOrForgedTransactionIsRefused() {
    v1::Transaction tx = test::signed_transfer(kAlice, kBob.public_key(), 5, 1, 10);
    v1::Transaction more = tx;
    more.mutable_transfer()->set_amount(500);
    Status s = ledger::check_tx_signature(test::kChainId, more, false);
    QCOMPARE(s.code(), Status::Code::kPermissionDenied);
    QVERIFY2(mentions(s, "signature does not verify"), s.ToString().c_str());

    v1::Transaction stolen = tx;  // Bob claims Alice's transaction as his own
    stolen.set_sender(kBob.public_key());
    QVERIFY(!ledger::check_tx_signature(test::kChainId, stolen, false).ok());

    v1::Transaction unsigned_tx = tx;
    unsigned_tx.clear_signature();
    Status u = ledger::check_tx_signature(test::kChainId, unsigned_tx, true);
    QVERIFY2(mentions(u, "not signed"), u.ToString().c_str());

    v1::Transaction short_sender = tx;
    short_sender.set_sender("abc");
    Status k = ledger::check_tx_signature(test::kChainId, short_sender, false);
    QCOMPARE(k.code(), Status::Code::kInvalidArgument);
    QVERIFY2(mentions(k, "sender is 3 bytes"), k.ToString().c_str());

    v1::Transaction no_body;
    no_body.set_nonce(1);
    ledger::sign_tx(test::kChainId, &no_body, kAlice);
    QVERIFY2(mentions(ledger::check_tx_signature(test::kChainId, no_body, false), "no body"),
             "a transaction without body is refused");
  }

  void txIdCoversTheSignature() {
    v1::Transaction tx = test::signed_transfer(kAlice, kBob.public_key(), 5, 1, 10);
    QCOMPARE(ledger::tx_id(tx), crypto::sha256(tx_leaf_bytes(tx)));
    v1::Transaction resigned = tx;
    resigned.set_signature(std::string(64, '\0'));
    QVERIFY(ledger::tx_id(resigned) != ledger::tx_id(tx));
  }

  // ---- transfers -----------------------------------------------------------------------

  void transferMovesFundsAndPaysTheProposer() {
    LedgerState state(funded_genesis());
    QCOMPARE(balance(state, kAlice), 1000u);
    QVERIFY(
        apply_and_commit(state, test::signed_transfer(kAlice, kBob.public_key(), 100, 1, 10)).ok());
    QCOMPARE(balance(state, kAlice), 890u);
    QCOMPARE(balance(state, kBob), 150u);
    QCOMPARE(state.account(kProposer)->balance(), 10u);
    QCOMPARE(state.account(kAlice.public_key())->nonce(), 1u);
    QCOMPARE(state.committed_height(), 1u);

    // A new account is created by its first credit.
    QVERIFY(!state.account(kCarol.public_key()));
    QVERIFY(
        apply_and_commit(state, test::signed_transfer(kAlice, kCarol.public_key(), 7, 2, 10)).ok());
    QCOMPARE(balance(state, kCarol), 7u);
    QCOMPARE(state.account(kCarol.public_key())->nonce(), 0u);
  }

  void overdraftIsRefusedNamingBalanceAndNeed() {
    LedgerState state(funded_genesis());
    LedgerState::BlockDraft draft = state.begin_block(kProposer);
    const std::string before = draft.state_root();
    Status s = draft.apply(test::signed_transfer(kAlice, kBob.public_key(), 995, 1, 10));
    QCOMPARE(s.code(), Status::Code::kFailedPrecondition);
    QVERIFY2(mentions(s, "overdraft: balance 1000, needs 1005"), s.ToString().c_str());
    QCOMPARE(draft.state_root(), before);  // nothing changed, not even the nonce
    // Exactly the balance is fine.
    QVERIFY(draft.apply(test::signed_transfer(kAlice, kBob.public_key(), 990, 1, 10)).ok());
    Status fee_only = draft.apply(test::signed_transfer(kAlice, kBob.public_key(), 1, 2, 10));
    QVERIFY2(mentions(fee_only, "overdraft: balance 0, needs 11"), fee_only.ToString().c_str());
    // Amount plus fee beyond 2^64 is an overflow, not a wrap-around.
    Status huge = draft.apply(test::signed_transfer(
        kBob, kAlice.public_key(), std::numeric_limits<std::uint64_t>::max(), 1, 10));
    QVERIFY2(mentions(huge, "exceeds 2^64-1"), huge.ToString().c_str());
  }

  void reusedOrStaleNonceIsRefused() {
    LedgerState state(funded_genesis());
    LedgerState::BlockDraft draft = state.begin_block(kProposer);
    QVERIFY(draft.apply(test::signed_transfer(kAlice, kBob.public_key(), 1, 1, 10)).ok());
    Status again = draft.apply(test::signed_transfer(kAlice, kBob.public_key(), 2, 1, 10));
    QVERIFY2(mentions(again, "nonce 1 already used (last used 1)"), again.ToString().c_str());
    QVERIFY(draft.apply(test::signed_transfer(kAlice, kBob.public_key(), 1, 5, 10)).ok());
    Status stale = draft.apply(test::signed_transfer(kAlice, kBob.public_key(), 1, 3, 10));
    QVERIFY2(mentions(stale, "nonce 3 already used (last used 5)"), stale.ToString().c_str());
    Status zero = draft.apply(test::signed_transfer(kCarol, kBob.public_key(), 1, 0, 10));
    QVERIFY(!zero.ok());
  }

  void feeBelowMinimumIsRefused() {
    LedgerState state(funded_genesis());
    LedgerState::BlockDraft draft = state.begin_block(kProposer);
    Status s = draft.apply(test::signed_transfer(kAlice, kBob.public_key(), 1, 1, 9));
    QCOMPARE(s.code(), Status::Code::kInvalidArgument);
    QVERIFY2(mentions(s, "fee 9 below minimum 10"), s.ToString().c_str());
  }

  void malformedTransfersAreRefused() {
    LedgerState state(funded_genesis());
    LedgerState::BlockDraft draft = state.begin_block(kProposer);
    Status self = draft.apply(test::signed_transfer(kAlice, kAlice.public_key(), 1, 1, 10));
    QVERIFY2(mentions(self, "self transfer"), self.ToString().c_str());
    Status short_to = draft.apply(test::signed_transfer(kAlice, "bob", 1, 1, 10));
    QVERIFY2(mentions(short_to, "transfer.to is 3 bytes"), short_to.ToString().c_str());
    Status nothing = draft.apply(test::signed_transfer(kAlice, kBob.public_key(), 0, 1, 10));
    QVERIFY2(mentions(nothing, "transfer.amount is 0"), nothing.ToString().c_str());
    Status stranger = draft.apply(test::signed_transfer(kCarol, kBob.public_key(), 1, 1, 10));
    QVERIFY2(mentions(stranger, "unknown account"), stranger.ToString().c_str());
    v1::Transaction forged_unsigned = test::signed_transfer(kAlice, kBob.public_key(), 1, 1, 10);
    forged_unsigned.clear_signature();
    QVERIFY(mentions(draft.apply(forged_unsigned), "not signed"));
  }

  // ---- anchors -------------------------------------------------------------------------

  void unsignedAnchorOnlyWhereGenesisAllowsIt() {
    v1::Transaction anchor;
    anchor.set_sender("bench-client-7");
    anchor.set_nonce(1);
    anchor.mutable_anchor()->set_data(crypto::sha256("document"));

    Status refused_sig = ledger::check_tx_signature(test::kChainId, anchor, false);
    QCOMPARE(refused_sig.code(), Status::Code::kPermissionDenied);
    QVERIFY2(mentions(refused_sig, "unsigned anchors are not allowed"),
             refused_sig.ToString().c_str());
    LedgerState strict(funded_genesis(false));
    LedgerState::BlockDraft strict_draft = strict.begin_block(kProposer);
    QVERIFY(mentions(strict_draft.apply(anchor), "unsigned anchors are not allowed"));

    QVERIFY(ledger::check_tx_signature(test::kChainId, anchor, true).ok());
    LedgerState open(funded_genesis(true));
    LedgerState::BlockDraft draft = open.begin_block(kProposer);
    QVERIFY(draft.apply(anchor).ok());  // no account, no fee
    Status replay = draft.apply(anchor);
    QVERIFY2(mentions(replay, "nonce 1 already used"), replay.ToString().c_str());
    v1::Transaction with_fee = anchor;
    with_fee.set_nonce(2);
    with_fee.set_fee(5);
    QVERIFY(mentions(draft.apply(with_fee), "pays no fee"));
    open.push_pending(std::move(draft));
    v1::StateDelta delta = open.commit_oldest();
    bool has_nonce = false;
    for (const auto& e : delta.entries())
      has_nonce |= e.key() == ledger::anchor_nonce_key("bench-client-7");
    QVERIFY(has_nonce);
    QVERIFY(!open.account(kProposer));  // no fee was paid

    // A signed anchor is an ordinary transaction: account, nonce and fee.
    v1::Transaction signed_anchor;
    signed_anchor.set_nonce(1);
    signed_anchor.set_fee(10);
    signed_anchor.mutable_anchor()->set_data("hash");
    ledger::sign_tx(test::kChainId, &signed_anchor, kAlice);
    QVERIFY(ledger::check_tx_signature(test::kChainId, signed_anchor, false).ok());
    QVERIFY(apply_and_commit(strict, signed_anchor).ok());
    QCOMPARE(balance(strict, kAlice), 990u);
  }

  // ---- devices -------------------------------------------------------------------------

  void deviceRegistrationAndOwnership() {
    LedgerState state(funded_genesis());
    QVERIFY(apply_and_commit(state, test::signed_register(kAlice, "lamp-0001", 1, 10)).ok());
    std::optional<v1::DeviceRecord> lamp = state.device("lamp-0001");
    QVERIFY(lamp);
    QCOMPARE(lamp->owner(), kAlice.public_key());
    QCOMPARE(lamp->registered_height(), 1u);
    QCOMPARE(lamp->profile(), std::string("acme-lamp-v2"));
    QCOMPARE(balance(state, kAlice), 990u);

    LedgerState::BlockDraft draft = state.begin_block(kProposer);
    Status dup = draft.apply(test::signed_register(kBob, "lamp-0001", 1, 10));
    QCOMPARE(dup.code(), Status::Code::kAlreadyExists);
    QVERIFY2(mentions(dup, "device lamp-0001 already registered"), dup.ToString().c_str());

    Status thief =
        draft.apply(test::signed_device_transfer(kBob, "lamp-0001", kBob.public_key(), 1, 10));
    QCOMPARE(thief.code(), Status::Code::kPermissionDenied);
    QVERIFY2(mentions(thief, "not the owner of device lamp-0001"), thief.ToString().c_str());

    Status ghost =
        draft.apply(test::signed_device_transfer(kAlice, "lamp-9999", kBob.public_key(), 2, 10));
    QVERIFY2(mentions(ghost, "unknown device lamp-9999"), ghost.ToString().c_str());

    v1::Transaction bad_key = test::signed_register(kAlice, "lamp-0002", 2, 10);
    bad_key.mutable_register_device()->set_device_public_key("short");
    ledger::sign_tx(test::kChainId, &bad_key, kAlice);
    QVERIFY(mentions(draft.apply(bad_key), "device_public_key is 5 bytes"));
    QVERIFY(mentions(draft.apply(test::signed_register(kAlice, "", 2, 10)), "device_id is empty"));

    QVERIFY(draft.apply(test::signed_device_transfer(kAlice, "lamp-0001", kBob.public_key(), 2, 10))
                .ok());
    state.push_pending(std::move(draft));
    state.commit_oldest();
    QCOMPARE(state.device("lamp-0001")->owner(), kBob.public_key());
    QCOMPARE(state.device("lamp-0001")->registered_height(), 1u);
    // Now Alice is the stranger.
    LedgerState::BlockDraft next = state.begin_block(kProposer);
    QVERIFY(mentions(
        next.apply(test::signed_device_transfer(kAlice, "lamp-0001", kAlice.public_key(), 3, 10)),
        "not the owner"));
  }

  void genesisDevicesAndAllocationsFormHeightZero() {
    v1::Genesis g = funded_genesis();
    v1::DeviceRecord* d = g.add_devices();
    d->set_device_id("lamp-0042");
    d->set_device_public_key(test::key_from('d').public_key());
    d->set_owner(kBob.public_key());
    LedgerState state(g);
    QCOMPARE(state.committed_height(), 0u);
    QCOMPARE(state.device("lamp-0042")->owner(), kBob.public_key());
    QVERIFY(apply_and_commit(
                state, test::signed_device_transfer(kBob, "lamp-0042", kAlice.public_key(), 1, 10))
                .ok());
    QCOMPARE(state.device("lamp-0042")->owner(), kAlice.public_key());
  }
};

QTEST_GUILESS_MAIN(TransactionRulesTest)
#include "transaction_rules_test.moc"
