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
#include <QRegularExpression>
#include <QtTest>
#include <filesystem>
#include <optional>
#include <string>

#include "admin_client.hpp"
#include "eventually.hpp"
#include "free_port.hpp"
#include "full_disk.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "lamp_profile.hpp"
#include "node_process.hpp"

using itc::testing::AdminClient;
using itc::testing::env_or;
using itc::testing::eventually;
using itc::testing::free_port;
using itc::testing::NodeConfig;
using itc::testing::NodeProcess;
using itc::testing::number_before;
using itc::testing::rss_kib;
using itc::testing::TinyDisk;

namespace {

constexpr int kMaxPending = 20000;

// A node (NodeProcess) with a tmpfs mounted at `mount_rel` (relative to its data dir).
class FullDiskNode {
 public:
  explicit FullDiskNode(const std::string& mount_rel) : admin_port_(free_port()) {
    disk_.emplace(node_.path("data/" + mount_rel));
    owner_ = *itc::crypto::Ed25519PrivateKey::generate();
  }
  ~FullDiskNode() { node_.kill(); }  // before the disk is unmounted
  bool mounted() const { return disk_->mounted(); }
  std::string path(const std::string& rel) const { return node_.path(rel); }
  // Gives the "disk" room again.
  bool grow_disk() { return disk_->grow(); }

  bool start(bool with_lamps) {
    NodeConfig config("full-disk", admin_port_);
    if (with_lamps) {
      config.plugin("sim-lighting",
                    "lamps: 400, report_interval_ms: 100, fleet_seed: full-disk, profile: "
                    "dimmable-lamp, owner_public_key: " +
                        itc::crypto::to_hex(owner_.public_key()));
    }
    config.plugin("normalize", "verify_signatures: false").plugin("store-sqlite");
    config.plugin("solo",
                  "block_interval_ms: 100, max_block_readings: 1000, "
                  "max_pending_readings: " +
                      std::to_string(kMaxPending));
    node_.write_config(config);
    return node_.start_running();
  }

  // SIGTERM; the exit code (or -1 if it did not exit within 60 s).
  int terminate() { return node_.terminate(60000); }
  // What the node printed since it was last started.
  QString output() const { return node_.run_log(); }
  qint64 pid() const { return node_.pid(); }

  itc::testing::HttpReply call(const QString& target, const QByteArray& post = {}) {
    return node_.request(post.isEmpty() ? "GET" : "POST", target, post);
  }
  std::optional<double> metric(const std::string& plugin, const std::string& name) {
    return node_.metric(plugin, name);
  }
  double solo(const std::string& name) { return metric("solo", name).value_or(-1); }

  // The next once-a-second node stats event on GET /v1/events (empty if none in 5 s).
  QJsonObject next_stats_event() {
    AdminClient admin(QString::fromStdString(node_.admin_url()),
                      QByteArray::fromStdString(node_.token()));
    return admin.next_stats_event();
  }

  // Readings in every block of the ledger.
  std::uint64_t readings_in_ledger() {
    const auto head = call("/v1/ledger/head").json;
    const auto height = head["header"].toObject()["height"].toVariant().toULongLong();
    std::uint64_t total = 0;
    for (std::uint64_t h = 1; h <= height; ++h) {
      const auto block = call(QString("/v1/ledger/blocks/%1").arg(h)).json;
      total += block["header"].toObject()["readingCount"].toVariant().toULongLong();
    }
    return total;
  }

 private:
  std::uint16_t admin_port_;
  itc::crypto::Ed25519PrivateKey owner_;
  NodeProcess node_;
  std::optional<TinyDisk> disk_;  // last member: unmounted first, after the node is killed
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
