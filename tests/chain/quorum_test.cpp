// The genesis file and quorum certificates: what a validator loads at start and what a
// light client checks to trust a block header alone.
#include <QTemporaryDir>
#include <QtTest>

#include "chain_fixture.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/block_commitments.hpp"

using namespace itc;
using ledger::ValidatorSet;

namespace {

bool mentions(const Status& s, std::string_view text) {
  if (s.message().find(text) != std::string::npos) return true;
  qWarning("'%s' does not mention '%.*s'", s.ToString().c_str(), static_cast<int>(text.size()),
           text.data());
  return false;
}

crypto::Ed25519PrivateKey validator_key(int i) {
  return test::key_from(static_cast<char>('A' + i));
}

// A sealed block at height 5 and a QC of the given validators' commit signatures.
struct CertifiedBlock {
  v1::Block block;
  v1::QuorumCertificate qc;
};

CertifiedBlock certified_block(const std::vector<int>& signers, std::uint64_t view = 2) {
  CertifiedBlock out;
  v1::BlockHeader* h = out.block.mutable_header();
  h->set_height(5);
  h->set_prev_hash(std::string(32, '\x07'));
  h->set_timestamp_us(1'704'067'200'000'000);
  h->set_producer("validator-2");
  h->set_view(view);
  h->set_state_root(std::string(32, '\x09'));
  h->set_merkle_root(readings_merkle_root(out.block));
  h->set_tx_root(transactions_root(out.block));
  out.block.set_hash(block_hash(*h));
  out.qc.set_height(5);
  out.qc.set_view(view);
  out.qc.set_block_hash(out.block.hash());
  const std::string bytes = ledger::commit_signing_bytes(test::kChainId, view, 5, out.block.hash());
  for (int i : signers) {
    v1::ValidatorSignature* sig = out.qc.add_signatures();
    sig->set_validator(static_cast<std::uint32_t>(i));
    sig->set_signature(validator_key(i).sign(bytes));
  }
  return out;
}

ValidatorSet four_validators() { return *ValidatorSet::from_genesis(test::make_genesis(4, {})); }

}  // namespace

class QuorumTest : public QObject {
  Q_OBJECT

 private slots:
  // ---- genesis -------------------------------------------------------------------------

  void genesisRoundTripsThroughJson() {
    v1::Genesis g = test::make_genesis(4, {{test::key_from('a').public_key(), 500}}, 3, true);
    v1::DeviceRecord* d = g.add_devices();
    d->set_device_id("lamp-0001");
    d->set_device_public_key(test::key_from('d').public_key());
    d->set_owner(test::key_from('a').public_key());
    const std::string json = ledger::genesis_to_json(g);
    QVERIFY2(json.find("\"chain_id\"") != std::string::npos, json.c_str());
    QVERIFY2(json.find("\"public_key\"") != std::string::npos, json.c_str());
    auto parsed = ledger::parse_genesis(json, "genesis.json");
    QVERIFY2(parsed.ok(), parsed.status().ToString().c_str());
    QCOMPARE(ledger::genesis_hash(*parsed), ledger::genesis_hash(g));

    QTemporaryDir dir;
    const std::string path = dir.filePath("genesis.json").toStdString();
    QVERIFY(write_file_atomically(path, json, 0644).ok());
    auto loaded = ledger::load_genesis(path);
    QVERIFY2(loaded.ok(), loaded.status().ToString().c_str());
    QCOMPARE(loaded->validators(3).address(), std::string("127.0.0.1:7103"));

    v1::Genesis other = g;
    other.set_min_fee(4);
    QVERIFY(ledger::genesis_hash(other) != ledger::genesis_hash(g));
    auto missing = ledger::load_genesis(dir.filePath("nope.json").toStdString());
    QVERIFY(mentions(missing.status(), "nope.json"));
  }

  void genesisErrorsNameTheFileAndField() {
    const std::string good = ledger::genesis_to_json(test::make_genesis(4, {}));
    auto edit = [&](const std::string& from, const std::string& to) {
      std::string json = good;
      const std::size_t at = json.find(from);
      if (at == std::string::npos) qFatal("fixture lacks %s", from.c_str());
      json.replace(at, from.size(), to);
      return ledger::parse_genesis(json, "net/genesis.json").status();
    };
    const std::string key0 = crypto::to_hex(validator_key(0).public_key());
    (void)key0;

    Status no_chain = edit("\"chain_id\": \"itc-test\"", "\"chain_id\": \"\"");
    QCOMPARE(no_chain.code(), Status::Code::kInvalidArgument);
    QVERIFY(mentions(no_chain, "net/genesis.json: chain_id: missing"));

    Status dup_name = edit("\"validator-1\"", "\"validator-0\"");
    QVERIFY(mentions(dup_name,
                     "net/genesis.json: validators[1].name: 'validator-0' is also "
                     "validators[0].name"));

    Status dup_addr = edit("127.0.0.1:7102", "127.0.0.1:7101");
    QVERIFY(mentions(dup_addr, "validators[2].address"));

    // Bad base64 in a key: the JSON parser names the field.
    Status bad_base64 = edit("\"public_key\": \"", "\"public_key\": \"!!notbase64");
    QVERIFY(mentions(bad_base64, "net/genesis.json"));
    QVERIFY(mentions(bad_base64, "public_key"));

    // Valid base64, wrong size.
    Status short_key = edit("\"public_key\": \"", "\"public_key\": \"AAAA");
    QVERIFY(mentions(short_key, "validators[0].public_key: 35 bytes, expected a 32-byte"));

    Status unknown = edit("\"min_fee\"", "\"minimum_fee\"");
    QVERIFY(mentions(unknown, "net/genesis.json"));
    QVERIFY(mentions(unknown, "minimum_fee"));

    v1::Genesis no_validators = test::make_genesis(0, {});
    QVERIFY(mentions(ledger::parse_genesis(ledger::genesis_to_json(no_validators), "g").status(),
                     "validators: at least one validator"));

    v1::Genesis dup_alloc = test::make_genesis(
        1, {{test::key_from('a').public_key(), 1}, {test::key_from('a').public_key(), 2}});
    QVERIFY(mentions(ledger::parse_genesis(ledger::genesis_to_json(dup_alloc), "g").status(),
                     "allocations[1].account"));
    v1::Genesis overflow =
        test::make_genesis(1, {{test::key_from('a').public_key(), ~std::uint64_t{0}},
                               {test::key_from('b').public_key(), 1}});
    QVERIFY(mentions(ledger::parse_genesis(ledger::genesis_to_json(overflow), "g").status(),
                     "allocations[1].balance"));
  }

  void quorumArithmetic() {
    const std::pair<int, std::uint32_t> cases[] = {{1, 1}, {3, 1}, {4, 3}, {5, 3}, {7, 5}};
    for (auto [n, quorum] : cases) {
      auto set = ValidatorSet::from_genesis(test::make_genesis(n, {}));
      QVERIFY(set.ok());
      QCOMPARE(set->quorum(), quorum);
    }
    ValidatorSet set = four_validators();
    QCOMPARE(set.max_faulty(), 1u);
    QCOMPARE(set.primary_of(6), 2u);
    QCOMPARE(set.index_of(validator_key(3).public_key()), std::optional<std::uint32_t>(3));
    QVERIFY(!set.index_of(test::key_from('z').public_key()));
  }

  // ---- quorum certificates -------------------------------------------------------------

  void validQcOfAQuorumVerifies() {
    ValidatorSet set = four_validators();
    for (const std::vector<int>& signers : {std::vector<int>{0, 1, 2}, {3, 1, 2, 0}}) {
      CertifiedBlock cb = certified_block(signers);
      QVERIFY(verify_block(cb.block).ok());
      Status s = set.verify_qc(cb.block.header(), cb.block.hash(), cb.qc);
      QVERIFY2(s.ok(), s.ToString().c_str());
    }
    // The commit bytes bind the chain, view, height and hash in a fixed layout.
    const std::string bytes = ledger::commit_signing_bytes("c", 1, 2, std::string(32, 'h'));
    QCOMPARE(bytes.size(), std::string("itc-commit-v1").size() + 4 + 1 + 8 + 8 + 32);
    QVERIFY(bytes.starts_with(std::string("itc-commit-v1") + std::string("\0\0\0\1c", 5)));
  }

  // Decided: one invalid signature rejects the whole certificate, even when the valid
  // ones would make a quorum. Honest validators never assemble a forged signature, so
  // such a certificate is evidence of tampering and is not trusted at all.
  void anyInvalidSignatureRejectsTheQcNamingTheValidator() {
    ValidatorSet set = four_validators();
    CertifiedBlock cb = certified_block({0, 1, 2, 3});
    std::string sig = cb.qc.signatures(3).signature();
    sig[10] = static_cast<char>(sig[10] ^ 1);
    cb.qc.mutable_signatures(3)->set_signature(sig);
    Status s = set.verify_qc(cb.block.header(), cb.block.hash(), cb.qc);
    QCOMPARE(s.code(), Status::Code::kPermissionDenied);
    QVERIFY(mentions(s, "validator 3 (validator-3) does not verify"));

    // A signature for another chain (or view) is just as invalid.
    CertifiedBlock other = certified_block({0, 1, 2});
    other.qc.set_view(3);
    QVERIFY(mentions(set.verify_qc(other.block.header(), other.block.hash(), other.qc),
                     "does not verify over view 3"));
    ValidatorSet foreign = *ValidatorSet::from_genesis([] {
      v1::Genesis g = test::make_genesis(4, {});
      g.set_chain_id("itc-elsewhere");
      return g;
    }());
    CertifiedBlock ours = certified_block({0, 1, 2});
    QVERIFY(!foreign.verify_qc(ours.block.header(), ours.block.hash(), ours.qc).ok());
  }

  void tooFewSignersAreRefused() {
    ValidatorSet set = four_validators();
    CertifiedBlock cb = certified_block({0, 2});
    Status s = set.verify_qc(cb.block.header(), cb.block.hash(), cb.qc);
    QCOMPARE(s.code(), Status::Code::kPermissionDenied);
    QVERIFY(mentions(s, "has 2 distinct signers; a quorum of 4 validators is 3"));
    CertifiedBlock none = certified_block({});
    QVERIFY(!set.verify_qc(none.block.header(), none.block.hash(), none.qc).ok());
  }

  void duplicateSignerCountsOnce() {
    ValidatorSet set = four_validators();
    CertifiedBlock cb = certified_block({0, 1, 1});
    Status s = set.verify_qc(cb.block.header(), cb.block.hash(), cb.qc);
    QVERIFY(mentions(s, "has 2 distinct signers"));
    CertifiedBlock enough = certified_block({0, 1, 1, 2});
    QVERIFY(set.verify_qc(enough.block.header(), enough.block.hash(), enough.qc).ok());
  }

  void qcForAnotherHeightOrBlockIsRefused() {
    ValidatorSet set = four_validators();
    CertifiedBlock cb = certified_block({0, 1, 2});
    v1::BlockHeader later = cb.block.header();
    later.set_height(6);
    Status height = set.verify_qc(later, block_hash(later), cb.qc);
    QCOMPARE(height.code(), Status::Code::kInvalidArgument);
    QVERIFY(mentions(height, "of block 6 is for height 5"));

    v1::BlockHeader changed = cb.block.header();
    changed.set_state_root(std::string(32, '\x0a'));
    Status hash = set.verify_qc(changed, block_hash(changed), cb.qc);
    QVERIFY(mentions(hash, "is for block " + crypto::to_hex(cb.block.hash().substr(0, 8))));

    CertifiedBlock stranger = certified_block({0, 1, 2});
    stranger.qc.mutable_signatures(2)->set_validator(4);
    QVERIFY(mentions(set.verify_qc(stranger.block.header(), stranger.block.hash(), stranger.qc),
                     "names validator 4, but the set has 4"));
  }
};

QTEST_GUILESS_MAIN(QuorumTest)
#include "quorum_test.moc"
