// The plugin READMEs name their metrics as /metrics exports them: real itc-node processes
// run every in-tree plugin from its signed package (one with solo, the connection plugins
// and their devices absent; one a single PBFT validator from `itc network init`) and each
// name a README's "## Metrics" section lists must be on /metrics with the plugin's label.
// promtool (if installed) checks the whole text.
#include "readme_metrics.hpp"

#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>
#include <functional>
#include <string>

#include "free_port.hpp"
#include "node_process.hpp"

namespace {

using itc::testing::env_or;
using itc::testing::free_port;
using itc::testing::NodeConfig;
using itc::testing::NodeProcess;

const std::string kOwner = "268c16cbdc2a5b1e9a06b8eaf7251f038dee86cea7733c19d8eb0fab65e56d45";

// A running itc-node (a NodeProcess named `name` in `dir`) and what its /metrics served
// once every plugin ran.
class RunningNode {
 public:
  RunningNode(const QTemporaryDir& dir, const std::string& name,
              const std::function<void(NodeConfig&)>& plugins)
      : node_(dir.path().toStdString(), name) {
    NodeConfig config(name, free_port());
    config.data_dir(name + "-data");
    plugins(config);
    node_.write_config(config);
    running_ = node_.start() && node_.wait_running(90000, config.plugin_count());
    if (running_) metrics_ = node_.get("/metrics").body.toStdString();
  }
  bool running() const { return running_; }
  const std::string& metrics() const { return metrics_; }
  QString log() const { return node_.log(); }

 private:
  NodeProcess node_;
  bool running_ = false;
  std::string metrics_;
};

}  // namespace

class ReadmeMetricsTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::unique_ptr<RunningNode> solo_;
  std::unique_ptr<RunningNode> pbft_;

  const RunningNode& node_of(const QString& plugin) const {
    return plugin == "pbft" ? *pbft_ : *solo_;
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    // Nothing listens on the broker's or the Modbus devices' port: their plugins still
    // run (and retry), which is all their metrics need.
    const std::string absent = "127.0.0.1:1";
    solo_ = std::make_unique<RunningNode>(dir_, "solo-node", [&](NodeConfig& c) {
      c.plugin("sim-lighting", "lamps: 5, owner_public_key: " + kOwner);
      c.plugin("normalize").plugin("control").plugin("store-sqlite").plugin("solo");
      c.plugin("mqtt", "broker: '" + absent + "', owner_public_key: " + kOwner +
                           ", devices: [{id: s1, profile: occupancy-sensor, address: s1}]");
      c.plugin("modbus", "owner_public_key: " + kOwner +
                             ", devices: [{id: m1, profile: energy-meter, host: 127.0.0.1, "
                             "port: 1, unit_id: 1}]");
    });
    QVERIFY2(solo_->running(), qPrintable(solo_->log()));

    // One validator (n = 1, f = 0) of a network made by the operator's own tool.
    const QString net = dir_.filePath("network");
    QProcess init;
    init.start(QString::fromStdString(env_or("ITC_BUILD_DIR") + "/core/itc"),
               {"network", "init", "--validators", "1", "--accounts", "1", "--out", net,
                "--base-port", QString::number(free_port())});
    QVERIFY(init.waitForFinished(30000));
    QVERIFY2(init.exitCode() == 0, init.readAllStandardError().constData());
    pbft_ = std::make_unique<RunningNode>(dir_, "pbft-node", [&](NodeConfig& c) {
      c.plugin("store-sqlite");
      c.plugin("pbft", "genesis_file: " + (net + "/genesis.json").toStdString() +
                           ", identity_key_file: " + (net + "/validator-0.pem").toStdString());
    });
    QVERIFY2(pbft_->running(), qPrintable(pbft_->log()));
  }
  void cleanupTestCase() {
    solo_.reset();
    pbft_.reset();
  }

  void everyMetricAReadmeNamesIsExported_data() {
    QTest::addColumn<QString>("plugin");
    QTest::addColumn<QString>("readme");
    for (const char* p :
         {"connection/sim-lighting", "connection/mqtt", "connection/modbus", "conversion/normalize",
          "configuration/control", "cyber/solo", "cyber/pbft", "cyber/store-sqlite"}) {
      const QString dir(p);
      QTest::newRow(p) << dir.section('/', 1) << "plugins/" + dir + "/README.md";
    }
  }
  void everyMetricAReadmeNamesIsExported() {
    QFETCH(QString, plugin);
    QFETCH(QString, readme);
    const auto names = itc::testing::readme_metric_names(
        env_or("ITC_SOURCE_DIR", ITC_TEST_SOURCE_DIR) + "/" + readme.toStdString());
    QVERIFY2(!names.empty(), "the README's Metrics section names no itc_ metric");
    const auto missing =
        itc::testing::missing_metrics(node_of(plugin).metrics(), plugin.toStdString(), names);
    QString list;
    for (const auto& m : missing) list += " " + QString::fromStdString(m);
    QVERIFY2(missing.empty(),
             qPrintable(readme + " names metrics /metrics does not export:" + list));
  }

  void theExportPassesPromtool() {
    if (QStandardPaths::findExecutable("promtool").isEmpty()) QSKIP("promtool not installed");
    // promtool exits 1 on a malformed exposition, 3 on naming lint alone. One lint is
    // known and kept: modbus's coil/discrete-input count `bits_read` is not a size in bits.
    const QString known_lint = "itc_bits_read_total use base unit \"bytes\" instead of \"bits\"";
    for (const RunningNode* node : {solo_.get(), pbft_.get()}) {
      QProcess promtool;
      promtool.setProcessChannelMode(QProcess::MergedChannels);
      promtool.start("promtool", {"check", "metrics"});
      QVERIFY(promtool.waitForStarted());
      promtool.write(QByteArray::fromStdString(node->metrics()));
      promtool.closeWriteChannel();
      QVERIFY(promtool.waitForFinished(30000));
      const QString out = QString::fromUtf8(promtool.readAll()).trimmed();
      if (promtool.exitCode() == 0) continue;
      QVERIFY2(promtool.exitCode() == 3, qPrintable(out));
      for (const QString& lint : out.split('\n')) QVERIFY2(lint == known_lint, qPrintable(out));
    }
  }
};

QTEST_GUILESS_MAIN(ReadmeMetricsTest)
#include "readme_metrics_test.moc"
