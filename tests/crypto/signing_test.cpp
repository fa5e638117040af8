// Canonical signing bytes: frames, commands and blocks sign, verify and catch tampering.
#include <QtTest>

#include "itc/command_signing.hpp"
#include "itc/crypto.hpp"
#include "itc/frame_signing.hpp"
#include "itc/ledger/block_commitments.hpp"
#include "itc/merkle.hpp"

using namespace itc;

namespace {

crypto::Ed25519PrivateKey key_from_byte(char b) {
  return *crypto::Ed25519PrivateKey::from_seed(std::string(32, b));
}

v1::RawFrame sample_frame() {
  v1::RawFrame f;
  f.set_device_id("lamp-0007");
  f.set_profile("acme-lamp-v2");
  f.set_seq(42);
  f.set_sampled_at_us(1'700'000'000'000'000);
  auto* power = f.add_values();
  power->set_metric("power");
  power->set_raw_int(1234);
  auto* on = f.add_values();
  on->set_metric("on");
  on->set_raw_bool(true);
  return f;
}

v1::Reading sample_reading(int i) {
  v1::Reading r;
  r.set_device_id("lamp-" + std::to_string(i));
  r.set_metric("power");
  r.set_value(12.5 + i);
  r.set_unit("W");
  r.set_quality(v1::QUALITY_GOOD);
  r.set_sampled_at_us(1'700'000'000'000'000 + i);
  r.set_frame_seq(static_cast<std::uint64_t>(i));
  return r;
}

v1::Block sample_block(int readings) {
  v1::Block b;
  for (int i = 0; i < readings; ++i) *b.add_readings() = sample_reading(i);
  auto* h = b.mutable_header();
  h->set_height(7);
  h->set_prev_hash(std::string(32, '\x11'));
  h->set_timestamp_us(1'700'000'000'123'456);
  h->set_reading_count(static_cast<std::uint32_t>(readings));
  h->set_producer("node-a");
  h->set_merkle_root(readings_merkle_root(b));
  h->set_tx_root(transactions_root(b));
  h->set_view(3);
  h->set_state_root(std::string(32, '\x22'));
  h->add_milestone(std::string(32, '\x33'));
  h->set_dag_root(std::string(32, '\x44'));
  b.set_hash(block_hash(*h));
  return b;
}

void expect_message(const Status& s, Status::Code code, const std::string& text) {
  QVERIFY2(!s.ok(), "expected a failure");
  QCOMPARE(s.code(), code);
  QVERIFY2(s.message().find(text) != std::string::npos, s.message().c_str());
}

void be(std::uint64_t v, int width, std::string* out) {
  for (int i = width - 1; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

}  // namespace

class SigningTest : public QObject {
  Q_OBJECT

 private slots:
  void frameSignsAndVerifies() {
    auto device = key_from_byte('\x01');
    auto frame = sample_frame();
    sign_frame(&frame, device);
    QCOMPARE(frame.signature().size(), crypto::kEd25519SignatureSize);
    QVERIFY(verify_frame(frame, device.public_key()).ok());
    QVERIFY(frame_signing_bytes(frame).rfind("itc-frame-v1", 0) == 0);
    // The signing bytes do not depend on the signature; the digest does.
    auto unsigned_frame = sample_frame();
    QCOMPARE(frame_signing_bytes(frame), frame_signing_bytes(unsigned_frame));
    QVERIFY(frame_digest(frame) != frame_digest(unsigned_frame));
    QCOMPARE(frame_digest(frame).size(), crypto::kSha256Size);
  }

  void tamperedFrameIsRefusedNamingTheDevice() {
    auto device = key_from_byte('\x01');
    auto frame = sample_frame();
    sign_frame(&frame, device);
    auto tampered = frame;
    tampered.mutable_values(0)->set_raw_int(9999);
    expect_message(verify_frame(tampered, device.public_key()), Status::Code::kPermissionDenied,
                   "frame from lamp-0007: signature does not verify against the device key");
    expect_message(verify_frame(frame, key_from_byte('\x02').public_key()),
                   Status::Code::kPermissionDenied, "does not verify against the device key");
    expect_message(verify_frame(sample_frame(), device.public_key()),
                   Status::Code::kPermissionDenied, "frame from lamp-0007 is not signed");
    expect_message(verify_frame(frame, "short"), Status::Code::kPermissionDenied,
                   "device key is 5 bytes");
  }

  void aBatchOfFramesCostsOneSignatureAndEachFrameChecksAlone() {
    auto gateway = key_from_byte('\x05');
    std::vector<v1::RawFrame> frames;
    for (int i = 0; i < 37; ++i) {
      v1::RawFrame f = sample_frame();
      f.set_seq(100 + static_cast<std::uint64_t>(i));
      frames.push_back(f);
    }
    std::vector<v1::RawFrame*> members;
    for (auto& f : frames) members.push_back(&f);
    sign_frame_batch(members, gateway);
    auto key = *crypto::Ed25519PublicKey::from_raw(gateway.public_key());
    FrameVerifier verifier;
    for (const auto& f : frames) {
      QCOMPARE(f.signature(), frames[0].signature());  // one signature for the batch
      QCOMPARE(f.batch().size(), std::uint64_t{37});
      QVERIFY(verify_frame(f, gateway.public_key()).ok());
      QVERIFY(verifier.verify(f, key).ok());
    }
    // A frame altered after signing is not in the batch, even once its root is known good.
    auto tampered = frames[5];
    tampered.mutable_values(0)->set_raw_int(1);
    expect_message(verifier.verify(tampered, key), Status::Code::kPermissionDenied,
                   "frame from lamp-0007: not in the signed batch it names");
    expect_message(verify_frame(tampered, key), Status::Code::kPermissionDenied,
                   "not in the signed batch");
    // Another frame's path, or index, does not fit.
    auto moved = frames[5];
    *moved.mutable_batch()->mutable_path() = frames[6].batch().path();
    QVERIFY(!verifier.verify(moved, key).ok());
    moved = frames[5];
    moved.mutable_batch()->set_index(6);
    QVERIFY(!verifier.verify(moved, key).ok());
    // A root the key never signed (a forged batch) is refused.
    auto forged = frames[5];
    forged.mutable_batch()->set_root(std::string(32, '\x42'));
    QVERIFY(!verifier.verify(forged, key).ok());
    auto other_key = *crypto::Ed25519PublicKey::from_raw(key_from_byte('\x06').public_key());
    expect_message(verifier.verify(frames[0], other_key), Status::Code::kPermissionDenied,
                   "batch signature does not verify");
    // The signing bytes of a frame ignore its batch proof, like its signature.
    QCOMPARE(frame_signing_bytes(frames[3]), frame_signing_bytes([&] {
               auto f = sample_frame();
               f.set_seq(103);
               return f;
             }()));
  }

  void commandSignsAndVerifies() {
    auto owner = key_from_byte('\x03');
    v1::Command cmd;
    cmd.set_device_id("lamp-0007");
    cmd.set_action(v1::ACTION_DIM);
    cmd.set_dim_level(40);
    cmd.set_nonce(5);
    sign_command(&cmd, owner);
    QCOMPARE(cmd.owner_public_key(), owner.public_key());
    QVERIFY(command_signing_bytes(cmd).rfind("itc-command-v1", 0) == 0);
    QVERIFY(verify_command(cmd, owner.public_key()).ok());
  }

  void commandFromWrongOwnerOrAlteredIsRefused() {
    auto owner = key_from_byte('\x03');
    auto intruder = key_from_byte('\x04');
    v1::Command cmd;
    cmd.set_device_id("lamp-0007");
    cmd.set_action(v1::ACTION_ON);
    cmd.set_nonce(6);
    sign_command(&cmd, intruder);
    expect_message(verify_command(cmd, owner.public_key()), Status::Code::kPermissionDenied,
                   "but the device's registered owner is");

    sign_command(&cmd, owner);
    auto altered = cmd;
    altered.set_action(v1::ACTION_OFF);
    expect_message(verify_command(altered, owner.public_key()), Status::Code::kPermissionDenied,
                   "command 6 for lamp-0007: signature does not verify against the owner key");
  }

  void frameSignatureDoesNotVerifyAsCommand() {
    // Domain separation: the same key signing different kinds never cross-verifies.
    auto key = key_from_byte('\x05');
    auto frame = sample_frame();
    sign_frame(&frame, key);
    v1::Command cmd;
    cmd.set_owner_public_key(key.public_key());
    cmd.set_signature(frame.signature());
    QVERIFY(!verify_command(cmd, key.public_key()).ok());
  }

  void blockHashFollowsTheFixedLayout() {
    auto block = sample_block(3);
    const auto& h = block.header();
    std::string expected = "itc-block-v2";
    auto bytes = [&](const std::string& b) {
      be(b.size(), 4, &expected);
      expected += b;
    };
    be(h.height(), 8, &expected);
    bytes(h.prev_hash());
    bytes(h.merkle_root());
    be(static_cast<std::uint64_t>(h.timestamp_us()), 8, &expected);
    be(h.reading_count(), 4, &expected);
    bytes(h.producer());
    be(h.view(), 8, &expected);
    bytes(h.tx_root());
    be(h.tx_count(), 4, &expected);
    bytes(h.state_root());
    be(1, 4, &expected);
    bytes(h.milestone(0));
    bytes(h.dag_root());  // only a header with a milestone has it
    QCOMPARE(block_hash(h), crypto::sha256(expected));
    std::vector<std::string> leaves;
    for (const auto& r : block.readings()) leaves.push_back(reading_leaf_bytes(r));
    QCOMPARE(h.merkle_root(), merkle::root(leaves));
  }

  void blockHashCoversTheValidatorSetsOnlyWhenPresent() {
    // A header that commits to its validator sets appends the epoch and both hashes;
    // without validators_hash it hashes exactly as before (the layout above).
    auto block = sample_block(1);
    v1::BlockHeader h = block.header();
    const std::string before = block_hash(h);
    h.set_epoch(2);
    QCOMPARE(block_hash(h), before);  // an epoch alone is not hashed
    h.set_validators_hash(std::string(32, '\x55'));
    h.set_next_validators_hash(std::string(32, '\x66'));
    std::string expected = "itc-block-v2";
    std::string fields;
    be(h.height(), 8, &fields);
    auto bytes = [&](const std::string& b) {
      be(b.size(), 4, &fields);
      fields += b;
    };
    bytes(h.prev_hash());
    bytes(h.merkle_root());
    be(static_cast<std::uint64_t>(h.timestamp_us()), 8, &fields);
    be(h.reading_count(), 4, &fields);
    bytes(h.producer());
    be(h.view(), 8, &fields);
    bytes(h.tx_root());
    be(h.tx_count(), 4, &fields);
    bytes(h.state_root());
    be(1, 4, &fields);
    bytes(h.milestone(0));
    bytes(h.dag_root());
    be(2, 8, &fields);
    bytes(h.validators_hash());
    bytes(h.next_validators_hash());
    QCOMPARE(block_hash(h), crypto::sha256(expected + fields));
    h.set_next_validators_hash(std::string(32, '\x67'));
    QVERIFY(block_hash(h) != crypto::sha256(expected + fields));
  }

  void validBlocksVerify() {
    QVERIFY(verify_block(sample_block(0)).ok());
    QVERIFY(verify_block(sample_block(1)).ok());
    QVERIFY(verify_block(sample_block(13)).ok());
  }

  void tamperedBlocksAreRefusedWithTheReason() {
    auto reading_changed = sample_block(5);
    reading_changed.mutable_readings(2)->set_value(1e9);
    expect_message(verify_block(reading_changed), Status::Code::kCorruption,
                   "block 7: merkle_root");

    auto reading_dropped = sample_block(5);
    reading_dropped.mutable_readings()->RemoveLast();
    expect_message(verify_block(reading_dropped), Status::Code::kCorruption,
                   "header says 5 readings, the block holds 4");

    auto header_changed = sample_block(5);
    header_changed.mutable_header()->set_timestamp_us(1);
    expect_message(verify_block(header_changed), Status::Code::kCorruption,
                   "does not match its header");

    auto producer_changed = sample_block(2);
    producer_changed.mutable_header()->set_producer("node-b");
    expect_message(verify_block(producer_changed), Status::Code::kCorruption,
                   "does not match its header");

    auto short_prev = sample_block(1);
    short_prev.mutable_header()->set_prev_hash("abc");
    expect_message(verify_block(short_prev), Status::Code::kCorruption,
                   "prev_hash is 3 bytes, expected 32");
  }
};

QTEST_GUILESS_MAIN(SigningTest)
#include "signing_test.moc"
