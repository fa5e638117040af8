// itc-node as an operator runs it: when the node cannot start for an ordinary reason (a
// data dir that cannot be created, a trusted-key file that is not a key), the process
// says why and exits 1 — with --config and with --check-config — instead of crashing.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

namespace {

struct Run {
  QProcess::ExitStatus exit_status = QProcess::CrashExit;
  int exit_code = -1;
  QString output;  // stdout and stderr
};

Run run_node(const QStringList& args) {
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(ITC_NODE_BIN, args);
  if (!p.waitForFinished(30000)) {
    p.kill();
    p.waitForFinished();
  }
  return {p.exitStatus(), p.exitCode(), QString::fromUtf8(p.readAll())};
}

}  // namespace

class NodeStartupTest : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

  QString config(const char* name, const std::string& node_section) {
    const QString file = dir_.filePath(name);
    std::ofstream(file.toStdString()) << "node:\n" << node_section << "plugins: []\n";
    return file;
  }

  void expect_clear_failure(const QString& file, const QString& reason) {
    for (const char* mode : {"--config", "--check-config"}) {
      Run r = run_node({mode, file});
      QVERIFY2(r.exit_status == QProcess::NormalExit,
               qPrintable(QString(mode) + " crashed:\n" + r.output));
      QCOMPARE(r.exit_code, 1);
      QVERIFY2(r.output.contains(reason), qPrintable(QString(mode) + ":\n" + r.output));
    }
  }

 private slots:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  void aDataDirThatCannotBeCreatedIsNamedWithTheReason() {
    // Below a regular file: refused with ENOTDIR even for root (a chmod would not be).
    std::ofstream(dir_.filePath("plain-file").toStdString()) << "x";
    const QString file =
        config("bad-data-dir.yaml", "  data_dir: plain-file/data\n  admin: {listen: \"off\"}\n");
    expect_clear_failure(file, "cannot create data dir " + dir_.filePath("plain-file/data"));
  }

  void aTrustedKeyFileThatIsNotAKeyIsNamed() {
    std::ofstream(dir_.filePath("not-a-key.pem").toStdString()) << "hello\n";
    const QString file = config("bad-key.yaml",
                                "  data_dir: data\n  admin: {listen: \"off\"}\n"
                                "  trusted_vendor_keys: [not-a-key.pem]\n");
    expect_clear_failure(file, "node.trusted_vendor_keys[0]");
  }
};

QTEST_GUILESS_MAIN(NodeStartupTest)
#include "node_startup_test.moc"
