// What the full-disk tests share: a tiny tmpfs standing in for a full disk, a process's
// resident memory, and the number a log line puts before a phrase. Mounting needs root;
// the tests skip otherwise.
#pragma once

#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace itc::testing {

// Runs a short system command (mount, umount); false, with its output logged, if it fails.
inline bool run_command(const QString& program, const QStringList& args) {
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(program, args);
  if (!p.waitForFinished(20000) || p.exitCode() != 0) {
    qWarning("%s %s: %s", qPrintable(program), qPrintable(args.join(' ')), p.readAll().constData());
    return false;
  }
  return true;
}

// A 512 KiB tmpfs at `dir` for as long as it lives: a disk that fills within seconds.
class TinyDisk {
 public:
  explicit TinyDisk(std::string dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    mounted_ = run_command(
        "mount", {"-t", "tmpfs", "-o", "size=512k", "tmpfs", QString::fromStdString(dir_)});
  }
  ~TinyDisk() {
    if (mounted_) run_command("umount", {"-l", QString::fromStdString(dir_)});
  }
  TinyDisk(const TinyDisk&) = delete;
  TinyDisk& operator=(const TinyDisk&) = delete;

  bool mounted() const { return mounted_; }
  // Gives the disk room again.
  bool grow() {
    return run_command("mount", {"-o", "remount,size=256m", QString::fromStdString(dir_)});
  }

 private:
  std::string dir_;
  bool mounted_ = false;
};

// Resident memory of a process, in KiB (0 if it is gone).
inline double rss_kib(qint64 pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6));
  }
  return 0;
}

// The number just before `suffix` in `text` ("(\d+) suffix"), or 0.
inline std::uint64_t number_before(const QString& text, const QString& suffix) {
  auto m = QRegularExpression("(\\d+) " + QRegularExpression::escape(suffix)).match(text);
  return m.hasMatch() ? m.captured(1).toULongLong() : 0;
}

}  // namespace itc::testing
