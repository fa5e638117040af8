// Device transactions: canonical bytes, ids, proof of work and the decoder's refusals.
#include "transaction.hpp"

#include <QtTest>

#include "dag_fixture.hpp"

using namespace itc;
using namespace itc::dag;
using namespace itc::dag::testing;

namespace {

// Decoding `tx`'s bytes fails with a message containing `what`.
void expect_refused(const v1::DeviceTransaction& tx, const char* what) {
  const auto d = decode_transaction(bytes_of(tx));
  QVERIFY2(!d.ok(), what);
  QVERIFY2(d.status().message().find(what) != std::string::npos, d.status().message().c_str());
}

}  // namespace

class TransactionTest : public QObject {
  Q_OBJECT

 private slots:
  void issuedTransactionDecodesWithItsIdAndWork() {
    Fleet fleet;
    const auto tx = lamp_reading(fleet, "lamp-1", entry_points());
    const auto d = decode_transaction(bytes_of(tx));
    QVERIFY2(d.ok(), d.status().message().c_str());
    QCOMPARE(d->id, crypto::sha256(signed_bytes(tx) + tx.signature()));
    QCOMPARE(d->id.size(), kIdSize);
    // The signed bytes are the body then the nonce, big-endian.
    const std::string sb = signed_bytes(tx);
    QCOMPARE(sb.substr(0, sb.size() - 8), transaction_body(tx));
    QCOMPARE(static_cast<unsigned char>(sb.back()), static_cast<unsigned char>(tx.nonce() & 0xff));
    QVERIFY(transaction_body(tx).rfind("itc-dag-tx-v1", 0) == 0);
    QVERIFY(leading_zero_bits(pow_hash(d->body_digest, tx.nonce())) >= 6);
    QVERIFY(crypto::ed25519_verify(tx.issuer_public_key(), sb, tx.signature()));
  }

  void everySignedFieldChangesTheId() {
    Fleet fleet;
    const auto tx = lamp_reading(fleet, "lamp-1", entry_points());
    auto other = tx;
    other.set_sequence(tx.sequence() + 1);
    QVERIFY(transaction_id(other) != transaction_id(tx));
    other = tx;
    other.mutable_readings()->mutable_readings(0)->set_value(2);
    QVERIFY(transaction_id(other) != transaction_id(tx));
    other = tx;
    other.set_nonce(tx.nonce() + 1);
    QVERIFY(transaction_id(other) != transaction_id(tx));
  }

  void leadingZeroBitsCountsBits() {
    QCOMPARE(leading_zero_bits(std::string("\x80", 1)), 0);
    QCOMPARE(leading_zero_bits(std::string("\x01", 1)), 7);
    QCOMPARE(leading_zero_bits(std::string("\x00\x00\x10", 3)), 19);
    QCOMPARE(leading_zero_bits(std::string(4, '\0')), 32);
  }

  void malformedBytesAreRefusedWithTheirReason() {
    Fleet fleet;
    const auto good = lamp_reading(fleet, "lamp-1", entry_points());
    QVERIFY(!decode_transaction("\xff\xff\xff").ok());
    QVERIFY(!decode_transaction(std::string(kMaxTransactionBytes + 1, 'x')).ok());
    QVERIFY(decode_transaction(std::string(kMaxTransactionBytes + 1, 'x'))
                .status()
                .message()
                .find("at most 131072") != std::string::npos);

    auto tx = good;
    tx.mutable_parents()->RemoveLast();
    expect_refused(tx, "parents: 2 to 8 expected, got 1");
    tx = good;
    for (int i = 0; i < 7; ++i) tx.add_parents(crypto::sha256("p" + std::to_string(i)));
    expect_refused(tx, "got 9");
    tx = good;
    tx.set_parents(1, tx.parents(0));
    expect_refused(tx, "parents[1]: named twice");
    tx = good;
    tx.set_parents(0, "short");
    expect_refused(tx, "parents[0]: 32 bytes expected");
    tx = good;
    tx.set_issuer_public_key("k");
    expect_refused(tx, "issuer_public_key");
    tx = good;
    tx.set_signature("s");
    expect_refused(tx, "signature: 64 bytes");
    tx = good;
    tx.clear_readings();
    expect_refused(tx, "kind: not set");
    tx = good;
    for (int i = 0; i < kMaxReadingsPerBundle; ++i)
      *tx.mutable_readings()->add_readings() = reading("lamp-1", i);
    expect_refused(tx, "readings: at most 1024");
    tx = good;
    tx.mutable_transfer()->set_to(tx.issuer_public_key());
    tx.mutable_transfer()->set_amount(1);
    expect_refused(tx, "transfer.to: the issuer's own account");
    tx.mutable_transfer()->set_to(std::string(32, 'a'));
    tx.mutable_transfer()->set_amount(0);
    expect_refused(tx, "transfer.amount");
  }

  void onlyTheCanonicalEncodingIsAccepted() {
    Fleet fleet;
    const std::string bytes = bytes_of(lamp_reading(fleet, "lamp-1", entry_points()));
    QVERIFY(decode_transaction(bytes).ok());
    // An unknown field (99, varint 1) appended: same message to a lenient parser, but a
    // second encoding of it would be a second id.
    const std::string extra = bytes + std::string("\x98\x06\x01", 3);
    const auto d = decode_transaction(extra);
    QVERIFY(!d.ok());
    QVERIFY(d.status().message().find("canonical") != std::string::npos);
    // The same fields in another order (the issuer key, field 1, moved to the end).
    QCOMPARE(bytes.substr(0, 2), std::string("\x0a\x20", 2));
    const std::string reordered = bytes.substr(34) + bytes.substr(0, 34);
    v1::DeviceTransaction same;
    QVERIFY(same.ParseFromString(reordered));
    QCOMPARE(transaction_id(same), decode_transaction(bytes)->id);
    QVERIFY(decode_transaction(reordered).status().message().find("not in canonical") !=
            std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TransactionTest)
#include "transaction_test.moc"
