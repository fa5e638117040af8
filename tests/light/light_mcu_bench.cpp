// itc-light-mcu-bench: the lamp's verifier on an emulated Cortex-M4 (issue 19's budget).
// Runs the firmware (core/light/firmware) under qemu-system-arm -M mps2-an386 with
// -icount shift=0 on the test vectors of firmware_vectors.hpp, twice (the counts must be
// the same: they are deterministic), and prints per vector its verdict and instructions
// (SysTick ticks around the check, converted by the firmware's calibration loop), then the
// stack high-water mark, the image's flash and static RAM (arm-none-eabi-size -A), the
// trusted state's size, and the budget beside each figure.
#include <QProcess>
#include <QTemporaryDir>
#include <QtGlobal>
#include <cstdio>
#include <map>
#include <string>

#include "firmware_vectors.hpp"
#include "itc/file_io.hpp"

using namespace itc;

namespace {

QString run(const QString& program, const QStringList& args) {
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(program, args);
  if (!p.waitForStarted(30'000)) qFatal("%s did not start", qPrintable(program));
  p.waitForFinished(300'000);
  return QString::fromUtf8(p.readAll());
}

QString run_firmware(const QString& file) {
  return run("qemu-system-arm", {"-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial",
                                 "none", "-icount", "shift=0", "-semihosting-config",
                                 "enable=on,target=native,arg=itc-light-firmware,arg=" + file,
                                 "-kernel", ITC_LIGHT_FIRMWARE_ELF});
}

// Section sizes of the image (arm-none-eabi-size -A).
std::map<QString, long long> sections() {
  std::map<QString, long long> out;
  const QString text = run("arm-none-eabi-size", {"-A", ITC_LIGHT_FIRMWARE_ELF});
  for (const QString& line : text.split('\n')) {
    const QStringList f = line.simplified().split(' ');
    if (f.size() == 3 && f[0].startsWith('.')) out[f[0]] = f[1].toLongLong();
  }
  return out;
}

long long field(const QString& out, const QString& pattern) {
  const QRegularExpressionMatch m = QRegularExpression(pattern).match(out);
  return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

}  // namespace

int main() {
  if (QString(ITC_LIGHT_FIRMWARE_ELF).isEmpty()) {
    std::printf(
        "the firmware is not built: install gcc-arm-none-eabi, picolibc-arm-none-eabi, "
        "libstdc++-arm-none-eabi-picolibc and qemu-system-arm (deploy/itc does)\n");
    return 1;
  }
  const std::vector<test::FirmwareVector> vectors = test::make_firmware_vectors();
  QTemporaryDir dir;
  const QString file = dir.filePath("vectors.itcv");
  if (!write_file_atomically(file.toStdString(), test::vector_file(vectors), 0600).ok()) {
    qFatal("cannot write %s", qPrintable(file));
  }
  const QString first = run_firmware(file);
  const QString second = run_firmware(file);
  const QRegularExpression line(R"(^V (\d+) (\S+) (.*) instr=(\d+)$)",
                                QRegularExpression::MultilineOption);

  std::printf(
      "the lamp's verifier on a Cortex-M4 (qemu-system-arm -M mps2-an386, -icount "
      "shift=0), wolfCrypt %s\n",
      "from Debian's wolfssl source");
  std::printf("calibration: %lld instructions counted as %lld SysTick ticks\n",
              field(first, R"(CALIBRATION (\d+) instructions)"),
              field(first, R"(CALIBRATION \d+ instructions in (\d+) ticks)"));
  std::printf("%-30s %-48s %12s %s\n", "vector", "verdict", "instructions", "repeat");
  long long command_instr = -1;
  auto it = line.globalMatch(first);
  auto it2 = line.globalMatch(second);
  bool deterministic = true;
  while (it.hasNext()) {
    const QRegularExpressionMatch m = it.next();
    const QRegularExpressionMatch m2 = it2.hasNext() ? it2.next() : QRegularExpressionMatch();
    const bool same = m2.hasMatch() && m2.captured(0) == m.captured(0);
    deterministic = deterministic && same;
    std::printf("%-30s %-48s %12s %s\n", qPrintable(m.captured(2)), qPrintable(m.captured(3)),
                qPrintable(m.captured(4)), same ? "same" : "DIFFERENT");
    if (m.captured(2) == "command_owner") command_instr = m.captured(4).toLongLong();
  }
  if (!first.contains("VECTORS")) std::printf("the firmware failed:\n%s\n", qPrintable(first));

  const auto s = sections();
  const auto size = [&](const char* name) {
    const auto f = s.find(name);
    return f == s.end() ? 0LL : f->second;
  };
  const long long flash = size(".text") + size(".ARM.exidx") + size(".data") + size(".tdata");
  const long long static_ram = size(".data") + size(".tdata") + size(".tbss") + size(".bss");
  const long long stack_hw = field(first, R"(STACK high_water=(\d+))");
  const long long stack_reserved = size(".stack");
  const long long state_size = field(first, R"(STATE sizeof=(\d+))");
  const long long validator_set = static_cast<long long>(sizeof(light::State::validators));
  std::printf("\n%-58s %12s %s\n", "figure", "measured", "budget");
  std::printf("%-58s %12lld %s\n", "instructions: a command, its ownership proof, 3-of-4 QC",
              command_instr, "<= 8,000,000");
  std::printf("%-58s %12lld\n", "stack high-water mark (B, painted stack)", stack_hw);
  std::printf("%-58s %12lld\n", "static RAM (B: .data .tdata .tbss .bss)", static_ram);
  std::printf("%-58s %12lld %s\n", "RAM: static + stack high-water (B)", static_ram + stack_hw,
              "<= 65,536");
  std::printf("%-58s %12lld %s\n", "RAM reserved: static + the whole stack region (B)",
              static_ram + stack_reserved, "(the linker refuses > 65,536)");
  std::printf("%-58s %12lld %s\n", "flash (B: .text .ARM.exidx .data .tdata)", flash, "<= 262,144");
  std::printf("%-58s %12lld %s\n", "trusted state, sizeof(State) (B)", state_size,
              "<= 1,024 + the validator set");
  std::printf("%-58s %12lld\n", "  of which the validator set (16 slots x 40 B)", validator_set);
  std::printf("%-58s %12lld\n", "heap allocations wolfCrypt asked for",
              field(first, R"(ALLOCATIONS wolfcrypt_refused=(\d+))"));
  std::printf("instruction counts identical in two runs: %s\n", deterministic ? "yes" : "NO");
  return deterministic && command_instr > 0 ? 0 : 1;
}
