// The ledger explorer's local checks, on blocks signed here by real validator keys: a
// quorum certificate verifies against the genesis validators and fails, naming why, for a
// forged signature, too few signers or another network; a transaction's inclusion proof
// verifies against tx_root and fails when the block's transactions were altered.
#include <QTemporaryDir>
#include <QtTest>

#include "itc/file_io.hpp"
#include "itc/ledger/block_commitments.hpp"
#include "itc/ledger/transactions.hpp"
#include "ledger/block_verifier.hpp"

using namespace itc;
using namespace itc::studio;

namespace {

struct Chain {
  v1::Genesis genesis;
  std::vector<crypto::Ed25519PrivateKey> validators;
};

Chain make_chain(int n, const std::string& chain_id) {
  Chain c;
  c.genesis.set_chain_id(chain_id);
  for (int i = 0; i < n; ++i) {
    c.validators.push_back(*crypto::Ed25519PrivateKey::generate());
    auto* v = c.genesis.add_validators();
    v->set_name("validator-" + std::to_string(i));
    v->set_public_key(c.validators.back().public_key());
    v->set_address("127.0.0.1:" + std::to_string(9000 + i));
  }
  return c;
}

// A block of `txs` transfers at height 7, certified by validators `signers`.
v1::Block make_block(const Chain& c, int txs, const std::vector<int>& signers) {
  v1::Block b;
  auto sender = *crypto::Ed25519PrivateKey::generate();
  for (int i = 0; i < txs; ++i) {
    v1::Transaction tx;
    tx.set_nonce(static_cast<std::uint64_t>(i + 1));
    tx.set_fee(1);
    tx.mutable_transfer()->set_to(std::string(32, static_cast<char>(i)));
    tx.mutable_transfer()->set_amount(static_cast<std::uint64_t>(10 + i));
    ledger::sign_tx(c.genesis.chain_id(), &tx, sender);
    *b.add_transactions() = tx;
  }
  auto* h = b.mutable_header();
  h->set_height(7);
  h->set_prev_hash(std::string(32, '\1'));
  h->set_view(2);
  h->set_producer("validator-2");
  h->set_tx_count(static_cast<std::uint32_t>(txs));
  h->set_tx_root(transactions_root(b));
  h->set_merkle_root(readings_merkle_root(b));
  b.set_hash(block_hash(*h));
  auto* qc = b.mutable_qc();
  qc->set_height(7);
  qc->set_view(2);
  qc->set_block_hash(b.hash());
  const std::string msg = ledger::commit_signing_bytes(c.genesis.chain_id(), 2, 7, b.hash());
  for (int i : signers) {
    auto* s = qc->add_signatures();
    s->set_validator(static_cast<std::uint32_t>(i));
    s->set_signature(c.validators[static_cast<std::size_t>(i)].sign(msg));
  }
  return b;
}

}  // namespace

class StudioLedgerTest : public QObject {
  Q_OBJECT

 private slots:
  void a_quorum_certificate_is_checked_against_the_chosen_genesis() {
    QTemporaryDir dir;
    const Chain chain = make_chain(4, "itc-studio-test");
    const QString genesis_path = dir.filePath("genesis.json");
    QVERIFY(write_file_atomically(genesis_path.toStdString(),
                                  ledger::genesis_to_json(chain.genesis), 0644)
                .ok());
    QString why;
    auto set = load_validators(genesis_path, &why);
    QVERIFY2(set, qPrintable(why));
    QCOMPARE(set->quorum(), 3u);

    const Verdict good = verify_certificate(make_block(chain, 5, {0, 1, 3}), *set);
    QVERIFY2(good.valid, qPrintable(good.text));
    QVERIFY(good.text.startsWith("VALID: block 7"));
    QVERIFY(good.text.contains("3 signatures (quorum 3 of 4 validators)"));

    const Verdict few = verify_certificate(make_block(chain, 5, {0, 1}), *set);
    QVERIFY(!few.valid);
    QVERIFY2(few.text.startsWith("INVALID: block 7"), qPrintable(few.text));
    QVERIFY2(few.text.contains("has 2 distinct signers"), qPrintable(few.text));

    v1::Block forged = make_block(chain, 5, {0, 1, 3});
    forged.mutable_qc()->mutable_signatures(2)->set_signature(std::string(64, 'x'));
    const Verdict bad_sig = verify_certificate(forged, *set);
    QVERIFY(!bad_sig.valid);
    QVERIFY2(bad_sig.text.contains("the signature of validator 3 (validator-3) does not verify"),
             qPrintable(bad_sig.text));

    // Signed by another network's validators: nothing of it counts here.
    const Chain other = make_chain(4, "itc-studio-test");
    QVERIFY(!verify_certificate(make_block(other, 5, {0, 1, 2}), *set).valid);

    v1::Block altered = make_block(chain, 5, {0, 1, 3});
    altered.mutable_transactions(1)->mutable_transfer()->set_amount(1'000'000);
    const Verdict v = verify_certificate(altered, *set);
    QVERIFY(!v.valid);
    QVERIFY2(v.text.contains("root"), qPrintable(v.text));

    v1::Block solo = make_block(chain, 1, {});
    solo.clear_qc();
    QVERIFY(verify_certificate(solo, *set).text.contains("no quorum certificate"));

    QVERIFY(!load_validators(dir.filePath("missing.json"), &why));
    QVERIFY2(why.contains("missing.json"), qPrintable(why));
  }

  void a_transaction_inclusion_proof_is_built_and_checked_locally() {
    const Chain chain = make_chain(4, "itc-studio-test");
    const v1::Block block = make_block(chain, 7, {0, 1, 2});
    for (int i = 0; i < 7; ++i) {
      const InclusionCheck c = verify_tx_inclusion(block, i);
      QVERIFY2(c.verdict.valid, qPrintable(c.verdict.text));
      QCOMPARE(c.proof.size(), i == 6 ? 2u : 3u);  // 7 leaves: the last one's path is shorter
    }
    v1::Block altered = block;
    altered.mutable_transactions(3)->set_fee(99);
    const InclusionCheck bad = verify_tx_inclusion(altered, 3);
    QVERIFY(!bad.verdict.valid);
    QVERIFY(bad.verdict.text.contains("does not reach the root"));
    QVERIFY(verify_tx_inclusion(block, 7).verdict.text.contains("no transaction #7"));
  }
};

QTEST_MAIN(StudioLedgerTest)
#include "studio_ledger_test.moc"
