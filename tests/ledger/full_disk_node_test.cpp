// A real itc-node (sim-lighting -> normalize -> solo -> store-sqlite, signed packages) whose
// store sits on a tiny tmpfs that fills up: the store cannot commit. What a user relies on:
// the readings waiting for a block stay bounded (the sources are held back, and that is
// counted and reported); a SIGTERM saves what waits and says so, exiting 0; a restart
// with room commits every reading the node had taken; and a stop that cannot save them
// either says how many are lost and exits non-zero.
//
// Needs root (mount -t tmpfs); skipped otherwise.
#include <unistd.h>

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "admin_client.hpp"
#include "full_disk.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "lamp_profile.hpp"
#include "local_network.hpp"  // env_or, free_port

using itc::testing::AdminClient;
using itc::testing::env_or;
using itc::testing::eventually;
using itc::testing::free_port;
using itc::testing::number_before;
using itc::testing::rss_kib;
using itc::testing::TinyDisk;

namespace {

constexpr int kMaxPending = 20000;

// A node directory with a tmpfs mounted at `mount_rel` (relative to the node's data dir).
class FullDiskNode {
 public:
  explicit FullDiskNode(const std::string& mount_rel) : admin_port_(free_port()) {
    disk_.emplace(path("data/" + mount_rel));
    owner_ = *itc::crypto::Ed25519PrivateKey::generate();
  }
  ~FullDiskNode() {
    if (process_.state() != QProcess::NotRunning) {
      process_.kill();
      process_.waitForFinished(5000);
    }
  }
  bool mounted() const { return disk_->mounted(); }
  std::string path(const std::string& rel) const {
    return dir_.filePath(QString::fromStdString(rel)).toStdString();
  }
  // Gives the "disk" room again.
  bool grow_disk() { return disk_->grow(); }

  bool start(bool with_lamps) {
    const std::string packages = env_or("ITC_PACKAGE_DIR");
    std::string yaml = "node:\n  name: full-disk\n  data_dir: data\n  admin: {listen: 127.0.0.1:" +
                       std::to_string(admin_port_) + "}\n  trusted_vendor_keys: [" +
                       env_or("ITC_VENDOR_KEY") + "]\n" + itc::testing::device_profiles_yaml() +
                       "plugins:\n";
    if (with_lamps) {
      yaml += "  - name: sim-lighting\n    package: " + packages +
              "/sim-lighting.itcpkg\n    config: {lamps: 400, report_interval_ms: 100, "
              "fleet_seed: full-disk, profile: dimmable-lamp, owner_public_key: " +
              itc::crypto::to_hex(owner_.public_key()) + "}\n";
    }
    yaml += "  - name: normalize\n    package: " + packages +
            "/normalize.itcpkg\n    config: {verify_signatures: false}\n"
            "  - name: store-sqlite\n    package: " +
            packages +
            "/store-sqlite.itcpkg\n"
            "  - name: solo\n    package: " +
            packages +
            "/solo.itcpkg\n    config: {block_interval_ms: 100, max_block_readings: 1000, "
            "max_pending_readings: " +
            std::to_string(kMaxPending) + "}\n";
    std::ofstream(path("node.yaml")) << yaml;
    output_.clear();
    process_.setProcessChannelMode(QProcess::MergedChannels);
    process_.start(ITC_NODE_BIN, {"--config", QString::fromStdString(path("node.yaml"))});
    if (!process_.waitForStarted(10000)) return false;
    const int expected = with_lamps ? 4 : 3;
    return eventually(
        [&] {
          auto r = call("/v1/plugins");
          int running = 0;
          for (const auto& p : r.json()["plugins"].toArray())
            running += p.toObject()["state"].toString() == "RUNNING" ? 1 : 0;
          return running == expected;
        },
        30000);
  }

  // SIGTERM; the exit code (or -1 if it did not exit within 60 s).
  int terminate() {
    process_.terminate();
    if (!process_.waitForFinished(60000)) return -1;
    output_ += QString::fromUtf8(process_.readAll());
    return process_.exitCode();
  }
  QString output() {
    if (process_.state() != QProcess::NotRunning) output_ += QString::fromUtf8(process_.readAll());
    return output_;
  }
  qint64 pid() const { return process_.processId(); }

  itc::testing::AdminReply call(const QString& target, const QByteArray& post = {}) {
    if (!admin_) {
      auto token = itc::read_file(path("data/admin.token"));
      if (!token.ok()) return {};
      admin_.emplace(QString("http://127.0.0.1:%1").arg(admin_port_),
                     QByteArray::fromStdString(*token).trimmed());
    }
    return admin_->call(post.isEmpty() ? "GET" : "POST", target, post, 20000);
  }
  std::optional<double> metric(const std::string& plugin, const std::string& name) {
    std::istringstream lines(call("/metrics").body.toStdString());
    std::string line;
    while (std::getline(lines, line)) {
      const bool named =
          line.rfind("itc_" + name + "{", 0) == 0 || line.rfind("itc_" + name + "_total{", 0) == 0;
      if (named && line.find("plugin=\"" + plugin + "\"") != std::string::npos)
        return std::stod(line.substr(line.rfind(' ') + 1));
    }
    return std::nullopt;
  }
  double solo(const std::string& name) { return metric("solo", name).value_or(-1); }

  // The next once-a-second node stats event on GET /v1/events (empty if none in 5 s).
  QJsonObject next_stats_event() {
    if (!admin_) call("/healthz");  // creates the client once the token exists
    return admin_ ? admin_->next_stats_event() : QJsonObject();
  }

  // Readings in every block of the ledger.
  std::uint64_t readings_in_ledger() {
    const auto head = call("/v1/ledger/head").json();
    const auto height = head["header"].toObject()["height"].toVariant().toULongLong();
    std::uint64_t total = 0;
    for (std::uint64_t h = 1; h <= height; ++h) {
      const auto block = call(QString("/v1/ledger/blocks/%1").arg(h)).json();
      total += block["header"].toObject()["readingCount"].toVariant().toULongLong();
    }
    return total;
  }

 private:
  QTemporaryDir dir_;
  std::uint16_t admin_port_;
  itc::crypto::Ed25519PrivateKey owner_;
  QProcess process_;
  QString output_;
  std::optional<AdminClient> admin_;
  std::optional<TinyDisk> disk_;  // last member: unmounted after the node is killed
};

}  // namespace

class FullDiskNodeTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    if (::geteuid() != 0) QSKIP("needs root to mount a tmpfs as the full disk");
  }

  void aFullDiskHoldsTheSourcesBackAndAStopSavesWhatWaitsForTheNextStart() {
    FullDiskNode node("plugins/store-sqlite");
    QVERIFY(node.mounted());
    QVERIFY2(node.start(true), qPrintable(node.output()));

    // The store fills its 512 KiB and refuses blocks; the backlog fills and stops there.
    QVERIFY2(eventually([&] { return node.solo("backlog_full") == 1; }, 60000),
             qPrintable(node.output()));
    QVERIFY(node.solo("block_append_failures") > 0);
    // The bus queues upstream fill within a second or two, then nothing grows: the lamps
    // keep reporting (400 lamps every 100 ms) but wait to publish.
    double most_pending = 0;
    double rss_settled = 0;
    for (int i = 0; i < 80; ++i) {  // 8 s
      if (i == 30) rss_settled = rss_kib(node.pid());
      most_pending = std::max(most_pending, node.solo("pending_readings"));
      QTest::qWait(100);
    }
    const double rss_later = rss_kib(node.pid());
    QVERIFY2(most_pending <= kMaxPending, qPrintable(QString::number(most_pending)));
    QCOMPARE(node.solo("max_pending_readings"), double(kMaxPending));
    QVERIFY(node.solo("readings_held_back") > 0);
    qInfo("RSS with the backlog full: %.0f KiB, 5 s later %.0f KiB", rss_settled, rss_later);
    QVERIFY2(rss_later - rss_settled < 2048, "memory keeps growing while the store is full");
    QVERIFY(node.output().contains("solo: the backlog is full"));
    const QJsonObject stats = node.next_stats_event();
    QVERIFY2(stats["sourcesHeldBack"].toBool(), QJsonDocument(stats).toJson().constData());
    QVERIFY(stats["readingsWaiting"].toString().toLongLong() >= kMaxPending - 1000);

    // A hot swap of solo meanwhile is answered (refused: the old version cannot drain onto
    // the full disk) instead of waiting forever for the held-back handler; solo runs on.
    const auto swap =
        node.call("/v1/plugins/solo/swap",
                  QByteArray::fromStdString("{\"package\": \"" + env_or("ITC_PACKAGE_DIR") +
                                            "/solo.itcpkg\"}"));
    QVERIFY2(swap.status >= 400, swap.body.constData());
    QVERIFY2(swap.body.contains("swap aborted"), swap.body.constData());
    QCOMPARE(node.call("/v1/plugins").body.count("\"RUNNING\""), 4);
    // (The handler let the one reading it held through, so that the swap could begin.)
    QVERIFY(node.solo("pending_readings") <= kMaxPending + 1);

    // A clean stop saves what could not be committed, says so, and exits 0.
    QCOMPARE(node.terminate(), 0);
    const QString out = node.output();
    const std::uint64_t saved = number_before(out, "readings could not be committed");
    QVERIFY2(saved >= std::uint64_t(kMaxPending), qPrintable(out));
    QVERIFY2(out.contains("committed first at the next start: nothing is lost"), qPrintable(out));
    QVERIFY2(out.contains("| nothing lost"), qPrintable(out));
    const std::string journal = node.path("data/plugins/solo/uncommitted-readings.pb");
    QVERIFY(std::filesystem::exists(journal));
    const std::uint64_t committed_before = QRegularExpression("\\| readings ([\\d,]+) \\|")
                                               .match(out)
                                               .captured(1)
                                               .remove(',')
                                               .toULongLong();

    // With room on the disk (and no lamps), the next start commits every one of them.
    QVERIFY(node.grow_disk());
    QVERIFY2(node.start(false), qPrintable(node.output()));
    QVERIFY2(eventually([&] { return !std::filesystem::exists(journal); }, 30000),
             qPrintable(node.output()));
    QCOMPARE(node.solo("readings_committed"), double(saved));
    QCOMPARE(node.readings_in_ledger(), committed_before + saved);
    QVERIFY(node.output().contains("saved by the last stop are committed first"));
    QCOMPARE(node.terminate(), 0);
  }

  void aStopThatCannotSaveWhatWaitsSaysHowManyReadingsAreLostAndExitsNonZero() {
    // Store and solo share the full disk: the journal cannot be written either.
    FullDiskNode node("plugins");
    QVERIFY(node.mounted());
    QVERIFY2(node.start(true), qPrintable(node.output()));
    QVERIFY2(eventually([&] { return node.solo("backlog_full") == 1; }, 60000),
             qPrintable(node.output()));
    QCOMPARE(node.terminate(), 4);
    const QString out = node.output();
    const std::uint64_t lost = number_before(out, "readings are lost");
    QVERIFY2(lost >= std::uint64_t(kMaxPending), qPrintable(out));
    QVERIFY2(out.contains("uncommitted-readings.pb failed ("), qPrintable(out));
    QVERIFY2(out.contains("the stop lost data: plugin solo failed to drain"), qPrintable(out));
  }
};

QTEST_GUILESS_MAIN(FullDiskNodeTest)
#include "full_disk_node_test.moc"
