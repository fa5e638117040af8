// The lamp's verifier on an emulated Cortex-M4 (issue 19, core/light/firmware): the
// firmware image, cross-compiled with wolfCrypt, runs under qemu-system-arm -M mps2-an386
// on vectors made from a real chain (firmware_vectors.hpp: good and forged header
// updates and owner-signed commands), and every verdict it prints equals the host
// library's (libitc-light on OpenSSL, the same vector_runner) and the verdict the vector
// was made to provoke — a corrupted signature, a forged QC, a swapped or stale proof
// refused on the chip with the same reason code as on the host.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <chrono>

#include "firmware_vectors.hpp"
#include "itc/file_io.hpp"
#include "local_network.hpp"
#include "vector_runner.hpp"

using namespace itc;

namespace {

// The host's line for one record, as the firmware prints it (without the count).
std::string host_verdict(const std::string& record) {
  light::vectors::Vector v{};
  const light::Outcome read = light::vectors::read_vector(
      reinterpret_cast<const std::uint8_t*>(record.data()), record.size(), &v);
  if (!read.ok()) return std::string("unreadable ") + light::verdict_name(read.verdict);
  light::State state{};
  if (const light::Outcome o = light::vectors::load_state(v, &state); !o.ok()) {
    return std::string("state ") + light::verdict_name(o.verdict);
  }
  const light::vectors::VectorResult r = light::vectors::run_vector(v, &state);
  char line[192];
  light::vectors::format_result(v, r, line, sizeof line);
  return line;
}

// The firmware's output on `vector_file`: qemu with semihosting, instructions counted.
QString run_firmware(const QString& vector_file, int* exit_code) {
  QProcess qemu;
  qemu.setProcessChannelMode(QProcess::MergedChannels);
  qemu.start("qemu-system-arm",
             {"-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial", "none", "-icount",
              "shift=0", "-semihosting-config",
              "enable=on,target=native,arg=itc-light-firmware,arg=" + vector_file, "-kernel",
              ITC_LIGHT_FIRMWARE_ELF});
  if (!qemu.waitForStarted(30'000)) qFatal("qemu-system-arm did not start");
  if (!qemu.waitForFinished(120'000)) {
    qemu.kill();
    qemu.waitForFinished();
  }
  *exit_code = qemu.exitStatus() == QProcess::NormalExit ? qemu.exitCode() : -1;
  return QString::fromUtf8(qemu.readAll());
}

// Every vector gets its expected verdict on the host, and the same line on the chip.
void agree_on_the_chip(const std::vector<test::FirmwareVector>& vectors) {
  for (const test::FirmwareVector& v : vectors) {
    QCOMPARE(QString::fromStdString(v.name + ": " + host_verdict(v.record)),
             QString::fromStdString(v.name + ": " + v.expected));
  }
  QTemporaryDir dir;
  const QString file = dir.filePath("vectors.itcv");
  QVERIFY(write_file_atomically(file.toStdString(), test::vector_file(vectors), 0600).ok());

  int exit_code = 0;
  const QString out = run_firmware(file, &exit_code);
  QVERIFY2(exit_code == 0, qPrintable(out));
  QStringList verdicts;
  for (const QString& l : out.split('\n', Qt::SkipEmptyParts)) {
    if (l.startsWith("V ")) verdicts << l;
  }
  QVERIFY2(verdicts.size() == static_cast<int>(vectors.size()), qPrintable(out));
  const QRegularExpression shape(R"(^V (\d+) (\S+) (.*) instr=(\d+)$)");
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    const QString& line = verdicts[static_cast<int>(i)];
    const QRegularExpressionMatch m = shape.match(line);
    QVERIFY2(m.hasMatch(), qPrintable(line));
    QCOMPARE(m.captured(1).toULongLong(), static_cast<qulonglong>(i));
    QCOMPARE(m.captured(2) + ": " + m.captured(3),
             QString::fromStdString(vectors[i].name + ": " + vectors[i].expected));
    QVERIFY2(m.captured(4).toULongLong() > 0, qPrintable(line));
    qInfo("%s", qPrintable(line));
  }
  // No heap under the verifier: wolfCrypt asked for nothing.
  QVERIFY2(out.contains("ALLOCATIONS wolfcrypt_refused=0"), qPrintable(out));
}

constexpr char kSkipReason[] =
    "the firmware is not built: gcc-arm-none-eabi, picolibc-arm-none-eabi, "
    "libstdc++-arm-none-eabi-picolibc or qemu-system-arm is not installed (deploy/itc "
    "installs them)";

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

class LightFirmwareQemuTest : public QObject {
  Q_OBJECT

 private slots:
  void every_verdict_on_the_chip_equals_the_hosts() {
    if (QString(ITC_LIGHT_FIRMWARE_ELF).isEmpty()) QSKIP(kSkipReason);
    agree_on_the_chip(test::make_firmware_vectors());
  }

  // Proofs served by a real 4-validator network (itc-node processes, pbft, store-sqlite):
  // the same verdicts on the chip as on the host, forged ones refused for the same reason.
  void a_real_networks_proofs_get_the_same_verdicts_on_the_chip() {
    if (QString(ITC_LIGHT_FIRMWARE_ELF).isEmpty()) QSKIP(kSkipReason);
    testing::NetworkOptions opt;
    opt.lamps = 1;  // their readings keep blocks coming
    testing::LocalNetwork net(opt);
    net.start_all();
    const char* device = "mcu-lamp-1";
    v1::Transaction reg;
    reg.set_nonce(1);
    reg.set_fee(1);
    reg.mutable_register_device()->set_device_id(device);
    reg.mutable_register_device()->set_profile("dimmable-lamp");
    reg.mutable_register_device()->set_device_public_key(test::key_from('d').public_key());
    testing::HttpReply r = net.submit(0, net.signed_by(0, reg));
    QVERIFY2(r.json["committed"].toBool(), r.body.data());
    const std::uint64_t registered = r.json["height"].toString().toULongLong();
    QVERIFY(testing::eventually([&] { return net.height(1).value_or(0) >= registered; }, 60'000));
    r = net.get(1, QString("/v1/proofs/state/d%2F") + device);
    QVERIFY2(r.status == 200, r.body.data());
    const std::string proof = r.body.toStdString();
    light::State at_genesis{};
    QVERIFY(light::trust_genesis(net.genesis(), &at_genesis).ok());
    light::State at_proof = at_genesis;
    light::Bytes value{};
    const std::string key = ledger::device_key(device);
    QVERIFY(light::verify_state(&at_proof, test::bytes_of(proof), proof.size(), test::bytes_of(key),
                                key.size(), &value)
                .ok());
    const std::string proof_height = std::to_string(at_proof.header.height);
    // A newer header, for a lamp that already trusts past the proof.
    std::string newer;
    QVERIFY(testing::eventually(
        [&] {
          const testing::HttpReply h = net.get(2, "/v1/proofs/header");
          light::State probe{};
          if (h.status != 200 || !light::trust_genesis(net.genesis(), &probe).ok()) return false;
          newer = h.body.toStdString();
          return light::apply_header(&probe, test::bytes_of(newer), newer.size()).ok() &&
                 probe.header.height > at_proof.header.height;
        },
        60'000));

    light::State at_newer = at_genesis;
    QVERIFY(light::apply_header(&at_newer, test::bytes_of(newer), newer.size()).ok());
    const std::size_t first_sig = test::qc_offset(newer) + 8 + 1;
    const unsigned first_signer = (static_cast<unsigned char>(newer[first_sig]) << 8) |
                                  static_cast<unsigned char>(newer[first_sig + 1]);
    const std::int64_t now = now_us();
    constexpr std::int64_t kAge = 600'000'000;  // generous: a loaded machine
    const crypto::Ed25519PrivateKey& owner = net.account(0);
    const crypto::Ed25519PrivateKey& stranger = net.account(1);
    agree_on_the_chip({
        test::header_vector("net_header", at_genesis, newer, "header ok 0"),
        test::header_vector("net_header_2_signers", at_genesis, test::minority_signed(newer),
                            "header too_few_signers 2"),
        test::header_vector("net_header_bad_qc_signature", at_genesis,
                            test::flipped(newer, first_sig + 2 + 20),
                            "header bad_signature " + std::to_string(first_signer)),
        test::command_vector("net_command_owner", at_genesis, owner, device, proof,
                             "command accepted ok 0", now, kAge),
        test::command_vector("net_command_stranger", at_genesis, stranger, device, proof,
                             "command not_owner ok 0", now, kAge),
        test::command_vector("net_command_corrupted_signature", at_genesis, owner, device, proof,
                             "command signature_refused - 0", now, kAge, true),
        test::command_vector("net_command_altered_path", at_genesis, owner, device,
                             test::flipped(proof, proof.size() - 1),
                             "command proof_refused state_root_mismatch " + test::bucket_of(key),
                             now, kAge),
        test::command_vector("net_command_stale_proof", at_newer, owner, device, proof,
                             "command proof_refused stale_header " + proof_height, now, kAge),
    });
  }

  void a_malformed_vector_file_is_refused_by_name() {
    if (QString(ITC_LIGHT_FIRMWARE_ELF).isEmpty()) QSKIP(kSkipReason);
    QTemporaryDir dir;
    const QString file = dir.filePath("bad.itcv");
    QVERIFY(write_file_atomically(file.toStdString(), "ITCX\x01", 0600).ok());
    int exit_code = 0;
    const QString out = run_firmware(file, &exit_code);
    QCOMPARE(exit_code, 2);
    QVERIFY2(out.contains("ERROR vector file: bad_magic"), qPrintable(out));
  }
};

QTEST_GUILESS_MAIN(LightFirmwareQemuTest)
#include "light_firmware_qemu_test.moc"
