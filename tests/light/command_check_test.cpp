// A device's own check of an owner-signed command (itc/light/command_check.hpp,
// owned_command.hpp) and the gateways' light clients on their devices' behalf
// (device_verifiers.hpp), against a real chain (light_chain.hpp: alice registers lamp-1 in
// block 1 and gives it to bob in block 3): the owner accepted; a stranger, an unregistered
// device, a header older than the limit or than the trusted one, a missing proof and a
// forged signature refused, each with the reason a user reads.
#include "itc/light/command_check.hpp"

#include <QTemporaryDir>
#include <QtTest>

#include "itc/command_signing.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/light/device_verifiers.hpp"
#include "itc/light/owned_command.hpp"
#include "light_chain.hpp"

using namespace itc;
using itc::test::bytes_of;
using itc::test::LightChain;

namespace {

constexpr std::int64_t kMinute = 60'000'000;

light::CommandCheck check(light::State* s, const std::string& proof, const std::string& device,
                          const crypto::Ed25519PrivateKey& signer, std::int64_t now_us) {
  const std::string key = signer.public_key();
  return light::check_command_owner(s, bytes_of(proof), proof.size(), device.data(), device.size(),
                                    bytes_of(key), now_us, kMinute);
}

QString text(const light::CommandCheck& c) {
  char buf[256];
  light::describe_command_check(c, buf, sizeof buf);
  return QString::fromUtf8(buf);
}

v1::Command signed_command(const crypto::Ed25519PrivateKey& by, std::uint64_t nonce,
                           const std::string& proof) {
  v1::Command c;
  c.set_device_id("lamp-1");
  c.set_action(v1::ACTION_ON);
  c.set_nonce(nonce);
  sign_command(&c, by);
  c.set_ownership_proof(proof);  // after signing: it is not signed
  return c;
}

}  // namespace

class CommandCheckTest : public QObject {
  Q_OBJECT

  LightChain chain_;
  std::int64_t head_at_ = chain_.head().header().timestamp_us();

 private slots:
  void the_proven_owner_is_accepted_and_anyone_else_refused() {
    light::State s = chain_.trusting();
    const std::string proof = chain_.state_proof("d/lamp-1");
    light::CommandCheck c = check(&s, proof, "lamp-1", chain_.bob, head_at_ + 1'000'000);
    QVERIFY2(c.ok(), qPrintable(text(c)));
    QCOMPARE(c.header_height, std::uint64_t{3});
    QCOMPARE(std::string(reinterpret_cast<const char*>(c.owner), 32), chain_.bob.public_key());

    c = check(&s, proof, "lamp-1", chain_.alice, head_at_ + 1'000'000);  // the old owner
    QCOMPARE(c.verdict, light::CommandVerdict::kNotOwner);
    QVERIFY2(text(c).startsWith(
                 "not_owner: signed by another key than the device's owner " +
                 QString::fromStdString(crypto::to_hex(chain_.bob.public_key().substr(0, 4)))),
             qPrintable(text(c)));

    c = check(&s, chain_.state_proof("d/lamp-9"), "lamp-9", chain_.bob, head_at_);
    QCOMPARE(c.verdict, light::CommandVerdict::kNotRegistered);
    QCOMPARE(text(c), QString("not_registered: the device has no owner record at block 3"));

    c = check(&s, proof, "lamp-2", chain_.bob, head_at_);  // a proof of another device
    QCOMPARE(c.verdict, light::CommandVerdict::kProofRefused);
    QVERIFY2(text(c).startsWith("proof_refused: key_mismatch"), qPrintable(text(c)));

    c = check(&s, "", "lamp-1", chain_.bob, head_at_);
    QCOMPARE(c.verdict, light::CommandVerdict::kNoProof);
  }

  void a_header_older_than_the_limit_or_the_trusted_one_is_stale() {
    light::State s = chain_.trusting();
    const std::string proof = chain_.state_proof("d/lamp-1");
    light::CommandCheck c = check(&s, proof, "lamp-1", chain_.bob, head_at_ + kMinute + 1'000'000);
    QCOMPARE(c.verdict, light::CommandVerdict::kHeaderTooOld);
    QCOMPARE(text(c), QString("header_too_old: block 3 is 61 s old, the limit is 60 s"));

    // A lamp that trusts block 4 already refuses the proof against block 3.
    LightChain longer;  // the same chain (same keys, same blocks), one block further
    longer.add({}, {});
    const std::string head4 = longer.update(longer.head());
    QVERIFY(light::apply_header(&s, bytes_of(head4), head4.size()).ok());
    c = check(&s, proof, "lamp-1", chain_.bob, head_at_);
    QCOMPARE(c.verdict, light::CommandVerdict::kProofRefused);
    QVERIFY2(text(c).startsWith("proof_refused: stale_header"), qPrintable(text(c)));
  }

  void a_signature_is_checked_before_the_proof() {
    light::State s = chain_.trusting();
    const std::string proof = chain_.state_proof("d/lamp-1");
    v1::Command cmd = signed_command(chain_.bob, 1, proof);
    QVERIFY(light::verify_owned_command(&s, cmd, head_at_, kMinute).ok());
    cmd.set_action(v1::ACTION_OFF);  // altered after signing
    Status st = light::verify_owned_command(&s, cmd, head_at_, kMinute);
    QCOMPARE(st.code(), Status::Code::kPermissionDenied);
    QVERIFY2(st.message().find("signature does not verify") != std::string::npos,
             st.message().c_str());
    st = light::verify_owned_command(&s, signed_command(chain_.alice, 2, proof), head_at_, kMinute);
    QVERIFY2(st.message() ==
                 "command 2 for lamp-1: not_owner: signed by another key than the "
                 "device's owner " +
                     crypto::to_hex(chain_.bob.public_key().substr(0, 4)) + "… at block 3",
             st.message().c_str());
  }

  void a_gateway_keeps_one_light_client_per_device_from_the_genesis_file() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("genesis.json").toStdString();
    QVERIFY(write_file_atomically(path, ledger::genesis_to_json(chain_.genesis), 0644).ok());
    auto verifiers = light::DeviceVerifiers::from_genesis_file(path, std::chrono::seconds(60));
    QVERIFY2(verifiers.ok(), verifiers.status().ToString().c_str());
    const std::string proof = chain_.state_proof("d/lamp-1");
    QVERIFY((*verifiers)->verify(signed_command(chain_.bob, 1, proof), head_at_).ok());
    Status st = (*verifiers)->verify(signed_command(chain_.bob, 2, ""), head_at_);
    QVERIFY2(st.message().find("no_proof") != std::string::npos, st.message().c_str());
    QCOMPARE((*verifiers)->devices(), std::size_t{1});

    auto missing = light::DeviceVerifiers::from_genesis_file(
        dir.filePath("none.json").toStdString(), std::chrono::seconds(60));
    QCOMPARE(missing.status().code(), Status::Code::kInvalidArgument);
    QVERIFY2(missing.status().message().find("none.json") != std::string::npos,
             missing.status().message().c_str());
  }
};

QTEST_GUILESS_MAIN(CommandCheckTest)
#include "command_check_test.moc"
