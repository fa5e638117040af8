// SHA-256 and Ed25519 against published answers, PEM keys, hex parsing; prints the
// sign/verify rates of this machine.
#include <sys/stat.h>

#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <ctime>

#include "itc/crypto.hpp"

using namespace itc;

namespace {

std::string unhex(std::string_view hex) {
  auto raw = crypto::from_hex(hex);
  if (!raw.ok()) qFatal("bad hex in test: %s", raw.status().message().c_str());
  return *raw;
}

// RFC 8032 section 7.1, TEST 1 (empty message).
constexpr std::string_view kRfc8032Seed =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr std::string_view kRfc8032Public =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr std::string_view kRfc8032Signature =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
    "b46bd25bf5f0595bbe24655141438e7a100b";

}  // namespace

class CryptoPrimitivesTest : public QObject {
  Q_OBJECT

 private slots:
  void sha256KnownAnswers() {
    QCOMPARE(crypto::to_hex(crypto::sha256("abc")),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(crypto::to_hex(crypto::sha256("")),
             std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  }

  void incrementalSha256EqualsOneShot() {
    crypto::Sha256 h;
    h.update("a");
    h.update("");
    h.update("bc");
    QCOMPARE(h.finish(), crypto::sha256("abc"));
  }

  void hexRoundTripAndErrors() {
    QCOMPARE(crypto::to_hex(std::string("\x00\xff\x10", 3)), std::string("00ff10"));
    auto upper = crypto::from_hex("00FF10");
    QVERIFY(upper.ok());
    QCOMPARE(*upper, std::string("\x00\xff\x10", 3));

    auto odd = crypto::from_hex("abc");
    QVERIFY(!odd.ok());
    QCOMPARE(odd.status().code(), Status::Code::kInvalidArgument);
    QVERIFY2(odd.status().message().find("odd length 3") != std::string::npos,
             odd.status().message().c_str());

    auto bad_first = crypto::from_hex("zz00");
    QVERIFY(!bad_first.ok());
    QVERIFY2(bad_first.status().message().find("'z' at position 0") != std::string::npos,
             bad_first.status().message().c_str());
    auto bad_second = crypto::from_hex("000g");
    QVERIFY(!bad_second.ok());
    QVERIFY2(bad_second.status().message().find("'g' at position 3") != std::string::npos,
             bad_second.status().message().c_str());
  }

  void ed25519Rfc8032Vector1() {
    auto key = crypto::Ed25519PrivateKey::from_seed(unhex(kRfc8032Seed));
    QVERIFY2(key.ok(), key.status().ToString().c_str());
    QCOMPARE(crypto::to_hex(key->public_key()), std::string(kRfc8032Public));
    std::string sig = key->sign("");
    QCOMPARE(crypto::to_hex(sig), std::string(kRfc8032Signature));
    QVERIFY(crypto::ed25519_verify(unhex(kRfc8032Public), "", unhex(kRfc8032Signature)));
  }

  void ed25519RejectsTampering() {
    std::string pub = unhex(kRfc8032Public);
    std::string sig = unhex(kRfc8032Signature);
    QVERIFY(!crypto::ed25519_verify(pub, "x", sig));  // another message
    std::string flipped = sig;
    flipped[10] = static_cast<char>(flipped[10] ^ 0x01);
    QVERIFY(!crypto::ed25519_verify(pub, "", flipped));
    std::string other_pub = pub;
    other_pub[0] = static_cast<char>(other_pub[0] ^ 0x01);
    QVERIFY(!crypto::ed25519_verify(other_pub, "", sig));
    // Wrong sizes verify false rather than failing loudly.
    QVERIFY(!crypto::ed25519_verify(pub.substr(0, 31), "", sig));
    QVERIFY(!crypto::ed25519_verify(pub, "", sig.substr(0, 63)));
    QVERIFY(!crypto::ed25519_verify("", "", ""));
  }

  void seedIsDeterministicAndChecked() {
    auto a = crypto::Ed25519PrivateKey::from_seed(std::string(32, '\x07'));
    auto b = crypto::Ed25519PrivateKey::from_seed(std::string(32, '\x07'));
    QVERIFY(a.ok() && b.ok());
    QCOMPARE(a->public_key(), b->public_key());
    auto short_seed = crypto::Ed25519PrivateKey::from_seed("short");
    QVERIFY(!short_seed.ok());
    QVERIFY(short_seed.status().message().find("32 bytes, got 5") != std::string::npos);
  }

  void generatedKeysDifferAndSign() {
    auto a = crypto::Ed25519PrivateKey::generate();
    auto b = crypto::Ed25519PrivateKey::generate();
    QVERIFY(a.ok() && b.ok());
    QVERIFY(a->valid());
    QVERIFY(a->public_key() != b->public_key());
    std::string sig = a->sign("hello");
    QVERIFY(crypto::ed25519_verify(a->public_key(), "hello", sig));
    QVERIFY(!crypto::ed25519_verify(b->public_key(), "hello", sig));
    crypto::Ed25519PrivateKey copy = *a;  // copies share the immutable key
    QCOMPARE(copy.public_key(), a->public_key());
    QVERIFY(!crypto::Ed25519PrivateKey().valid());
  }

  void pemRoundTripThroughFile() {
    auto key = crypto::Ed25519PrivateKey::generate();
    QVERIFY(key.ok());
    std::string pem = key->to_pem();
    QVERIFY(pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);  // PKCS#8
    auto back = crypto::Ed25519PrivateKey::from_pem(pem);
    QVERIFY2(back.ok(), back.status().ToString().c_str());
    QCOMPARE(back->public_key(), key->public_key());

    QTemporaryDir dir;
    const std::string path = dir.filePath("vendor.pem").toStdString();
    QVERIFY(key->save_pem_file(path).ok());
    struct stat st {};
    QCOMPARE(::stat(path.c_str(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    auto loaded = crypto::Ed25519PrivateKey::load_pem_file(path);
    QVERIFY2(loaded.ok(), loaded.status().ToString().c_str());
    QCOMPARE(loaded->sign("m"), key->sign("m"));  // Ed25519 is deterministic

    auto from_path = crypto::load_public_key(path);
    QVERIFY2(from_path.ok(), from_path.status().ToString().c_str());
    QCOMPARE(*from_path, key->public_key());
    auto from_hex = crypto::load_public_key(crypto::to_hex(key->public_key()));
    QVERIFY(from_hex.ok());
    QCOMPARE(*from_hex, key->public_key());
  }

  void badPemAndKeyInputsAreNamed() {
    auto garbage = crypto::Ed25519PrivateKey::from_pem("not a key");
    QVERIFY(!garbage.ok());
    QCOMPARE(garbage.status().code(), Status::Code::kInvalidArgument);
    auto missing = crypto::Ed25519PrivateKey::load_pem_file("/nonexistent/key.pem");
    QVERIFY(!missing.ok());
    QVERIFY(missing.status().message().find("/nonexistent/key.pem") != std::string::npos);
    auto neither = crypto::load_public_key("xyz");
    QVERIFY(!neither.ok());
    QVERIFY2(neither.status().message().find("'xyz' is neither") != std::string::npos,
             neither.status().message().c_str());
  }

  // Not an assertion on speed (the machine is shared): prints the rates for the record.
  // Rates are per core, from this thread's CPU time, so other load on the machine does
  // not distort them; wall-clock rates are printed beside them.
  void measureSignAndVerifyRates() {
    auto key = crypto::Ed25519PrivateKey::generate();
    QVERIFY(key.ok());
    const std::string message(120, 'm');  // about a signed frame's size
    const std::string pub = key->public_key();
    constexpr int kRounds = 3000;

    std::string sig;
    Timing sign_time;
    for (int i = 0; i < kRounds; ++i) sig = key->sign(message);
    sign_time.stop();
    int valid = 0;
    Timing verify_time;
    for (int i = 0; i < kRounds; ++i) valid += crypto::ed25519_verify(pub, message, sig) ? 1 : 0;
    verify_time.stop();
    QCOMPARE(valid, kRounds);
    qInfo("Ed25519 sign:   %.0f/s per core CPU time (%.1f us), %.0f/s wall clock",
          kRounds / sign_time.cpu_s, 1e6 * sign_time.cpu_s / kRounds, kRounds / sign_time.wall_s);
    qInfo("Ed25519 verify: %.0f/s per core CPU time (%.1f us), %.0f/s wall clock",
          kRounds / verify_time.cpu_s, 1e6 * verify_time.cpu_s / kRounds,
          kRounds / verify_time.wall_s);

    std::string block(1 << 20, 'x');
    Timing hash_time;
    for (int i = 0; i < 64; ++i) block[0] = crypto::sha256(block)[0];
    hash_time.stop();
    qInfo("SHA-256: %.0f MB/s per core CPU time on 1 MiB inputs", 64 / hash_time.cpu_s);
  }

 private:
  // Thread CPU time and wall-clock time between construction and stop().
  struct Timing {
    static double thread_cpu_now() {
      timespec ts{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
    }
    std::chrono::steady_clock::time_point wall0 = std::chrono::steady_clock::now();
    double cpu0 = thread_cpu_now();
    double cpu_s = 0, wall_s = 0;
    void stop() {
      cpu_s = thread_cpu_now() - cpu0;
      wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    }
  };
};

QTEST_GUILESS_MAIN(CryptoPrimitivesTest)
#include "crypto_primitives_test.moc"
