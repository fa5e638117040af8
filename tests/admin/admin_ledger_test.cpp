// The admin API's main-chain routes as wallets, explorers and the `itc` CLI use them: a
// real node with store-sqlite loaded from its signed package, certified blocks appended
// through the plugin's LedgerStore service, requests from Qt's HTTP client.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <optional>

#include "admin_client.hpp"
#include "chain_fixture.hpp"
#include "ledger_node.hpp"

using namespace itc;

namespace {

using itc::testing::HttpReply;

// The "error" text of an admin API error reply.
QString error_of(const HttpReply& r) { return r.json["error"].toString(); }

const crypto::Ed25519PrivateKey kAlice = test::key_from('a');
const crypto::Ed25519PrivateKey kBob = test::key_from('b');

}  // namespace

class AdminLedgerTest : public QObject {
  Q_OBJECT

 private:
  itc::testing::LedgerNode node_;
  std::optional<itc::testing::AdminClient> admin_;
  v1::Block block1_;

  HttpReply call(const QByteArray& verb, const std::string& path, const QByteArray& body = {}) {
    return admin_->call(verb, QString::fromStdString(path), body);
  }

 private slots:
  void initTestCase() {
    Status st = node_.start();
    QVERIFY2(st.ok(), st.ToString().c_str());
    admin_.emplace(QString::fromStdString(node_.url()), QByteArray::fromStdString(node_.token()));
    ledger::LedgerState state(
        test::make_genesis(4, {{kAlice.public_key(), 1000}, {kBob.public_key(), 10}}, 1));
    test::CommittedBlock b =
        test::commit_certified_block(state, std::string(32, '\0'),
                                     {test::signed_transfer(kAlice, kBob.public_key(), 100, 1, 2),
                                      test::signed_register(kAlice, "lamp/0001 hall", 2, 1)});
    st = node_.store()->append(b.block, b.delta);
    QVERIFY2(st.ok(), st.ToString().c_str());
    block1_ = b.block;
  }

  void cleanupTestCase() { node_.stop(); }

  void blockComesBackWholeWithItsCertificate() {
    HttpReply r = call("GET", "/v1/ledger/blocks/1");
    QCOMPARE(r.status, 200);
    v1::Block got;
    QVERIFY2(google::protobuf::util::JsonStringToMessage(r.body.toStdString(), &got).ok(),
             r.body.constData());
    QVERIFY2(google::protobuf::util::MessageDifferencer::Equals(got, block1_),
             got.DebugString().c_str());
    QCOMPARE(got.transactions_size(), 2);
    QCOMPARE(got.qc().signatures_size(), 3);
    // What a light client does with it.
    QVERIFY(verify_block(got).ok());
    auto set = ledger::ValidatorSet::from_genesis(test::make_genesis(4, {}));
    QVERIFY(set->verify_qc(got.header(), got.hash(), got.qc()).ok());
  }

  void missingOrMalformedHeight() {
    HttpReply none = call("GET", "/v1/ledger/blocks/2");
    QCOMPARE(none.status, 404);
    QVERIFY2(!error_of(none).isEmpty(), none.body.constData());
    HttpReply bad = call("GET", "/v1/ledger/blocks/two");
    QCOMPARE(bad.status, 400);
    QVERIFY2(error_of(bad).contains("'two'"), bad.body.constData());
    QCOMPARE(call("POST", "/v1/ledger/blocks/1").status, 405);
  }

  void accountsShowCommittedBalanceAndNonce() {
    HttpReply alice = call("GET", "/v1/accounts/" + crypto::to_hex(kAlice.public_key()));
    QCOMPARE(alice.status, 200);
    QJsonObject a = QJsonDocument::fromJson(alice.body).object();
    QCOMPARE(a["balance"].toString(), QString("897"));  // 1000 - 100 - 2 - 1
    QCOMPARE(a["nonce"].toString(), QString("2"));
    HttpReply bob = call("GET", "/v1/accounts/" + crypto::to_hex(kBob.public_key()));
    QCOMPARE(QJsonDocument::fromJson(bob.body).object()["balance"].toString(), QString("110"));

    const std::string stranger = crypto::to_hex(test::key_from('z').public_key());
    HttpReply none = call("GET", "/v1/accounts/" + stranger);
    QCOMPARE(none.status, 404);
    QVERIFY2(error_of(none).contains(QString::fromStdString(stranger)), none.body.constData());
    HttpReply bad = call("GET", "/v1/accounts/abc");
    QCOMPARE(bad.status, 400);
    QVERIFY2(error_of(bad).contains("64 hex digits"), bad.body.constData());
  }

  void deviceRecordsNameTheirOwner() {
    // The id is percent-encoded in the path.
    HttpReply r = call("GET", "/v1/devices/lamp%2F0001%20hall/record");
    QCOMPARE(r.status, 200);
    v1::DeviceRecord rec;
    QVERIFY(google::protobuf::util::JsonStringToMessage(r.body.toStdString(), &rec).ok());
    QCOMPARE(rec.device_id(), std::string("lamp/0001 hall"));
    QCOMPARE(rec.owner(), kAlice.public_key());
    QCOMPARE(rec.registered_height(), 1u);
    HttpReply none = call("GET", "/v1/devices/lamp-9/record");
    QCOMPARE(none.status, 404);
    QVERIFY2(error_of(none).contains("device lamp-9"), none.body.constData());
  }

  void transactionsNeedATransactionPool() {
    std::string json;
    QVERIFY(google::protobuf::util::MessageToJsonString(
                test::signed_transfer(kAlice, kBob.public_key(), 1, 3), &json)
                .ok());
    HttpReply r = call("POST", "/v1/tx", QByteArray::fromStdString(json));
    QCOMPARE(r.status, 503);
    QVERIFY2(error_of(r).contains("itc.transaction-pool.v1") && error_of(r).contains("pbft"),
             r.body.constData());

    HttpReply bad = call("POST", "/v1/tx", R"({"nonce": "1", "transfer": {"amount": "x"}})");
    QCOMPARE(bad.status, 400);
    QVERIFY2(
        error_of(bad).contains("malformed Transaction JSON") && error_of(bad).contains("amount"),
        bad.body.constData());
    QCOMPARE(call("GET", "/v1/tx").status, 405);
  }
};

QTEST_GUILESS_MAIN(AdminLedgerTest)
#include "admin_ledger_test.moc"
