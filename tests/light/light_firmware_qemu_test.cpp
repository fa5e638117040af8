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

#include "firmware_vectors.hpp"
#include "itc/file_io.hpp"
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

}  // namespace

class LightFirmwareQemuTest : public QObject {
  Q_OBJECT

 private slots:
  void every_verdict_on_the_chip_equals_the_hosts() {
    if (QString(ITC_LIGHT_FIRMWARE_ELF).isEmpty()) {
      QSKIP(
          "the firmware is not built: gcc-arm-none-eabi, picolibc-arm-none-eabi, "
          "libstdc++-arm-none-eabi-picolibc or qemu-system-arm is not installed "
          "(deploy/itc installs them)");
    }
    const std::vector<test::FirmwareVector> vectors = test::make_firmware_vectors();
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
    const QStringList lines = out.split('\n', Qt::SkipEmptyParts);
    QStringList verdicts;
    for (const QString& l : lines) {
      if (l.startsWith("V ")) verdicts << l;
    }
    QVERIFY2(verdicts.size() == static_cast<int>(vectors.size()), qPrintable(out));
    const QRegularExpression shape(R"(^V (\d+) (\S+) (.*) instr=(\d+)$)");
    for (std::size_t i = 0; i < vectors.size(); ++i) {
      const QRegularExpressionMatch m = shape.match(verdicts[static_cast<int>(i)]);
      QVERIFY2(m.hasMatch(), qPrintable(verdicts[static_cast<int>(i)]));
      QCOMPARE(m.captured(1).toULongLong(), static_cast<qulonglong>(i));
      QCOMPARE(m.captured(2).toStdString(), vectors[i].name);
      QCOMPARE(m.captured(2) + ": " + m.captured(3),
               QString::fromStdString(vectors[i].name + ": " + host_verdict(vectors[i].record)));
      QVERIFY2(m.captured(4).toULongLong() > 0, qPrintable(verdicts[static_cast<int>(i)]));
    }
    // No heap under the verifier: wolfCrypt asked for nothing.
    QVERIFY2(out.contains("ALLOCATIONS wolfcrypt_refused=0"), qPrintable(out));
  }

  void a_malformed_vector_file_is_refused_by_name() {
    if (QString(ITC_LIGHT_FIRMWARE_ELF).isEmpty()) QSKIP("the firmware is not built (see above)");
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
