// Four real validators under reading load (simulated lamps on each); validator 3's store
// sits on a tiny tmpfs that fills up, so it cannot store the blocks the network commits.
// What a user relies on: that validator's memory stays bounded (at most
// max_pending_readings readings wait, its sources are held back, at most 128 executed
// blocks wait for its store; all counted in /metrics) while the others go on; a SIGTERM
// saves the readings it accepted that are not in a block stored there, says so and
// exits 0; a restart with room commits every one of them exactly once. A stop that cannot
// save them says how many are lost and exits 4. The handshake caps are pbft options.
//
// Needs root (mount -t tmpfs); skipped otherwise.
#include "full_disk.hpp"

#include <unistd.h>

#include <QRegularExpression>
#include <filesystem>
#include <map>
#include <set>

#include "admin_client.hpp"
#include "local_network.hpp"
#include "pending_journal.hpp"
#include "replica.hpp"

using itc::testing::eventually;
using itc::testing::LocalNetwork;
using itc::testing::NetworkOptions;
using itc::testing::number_before;
using itc::testing::rss_kib;
using itc::testing::TinyDisk;

namespace {

constexpr int kMaxPending = 3000;
constexpr int kFull = 3;  // the validator whose disk is full

NetworkOptions loaded_network() {
  NetworkOptions opt;
  opt.lamps = 200;  // per validator, a report every 500 ms: 400 readings/s each
  // A small watermark window (2 x 16 blocks) so the stalled replica's memory settles soon.
  opt.pbft_extra = ", batch_delay_ms: 100, checkpoint_interval: 16, max_pending_readings: " +
                   std::to_string(kMaxPending);
  return opt;
}

}  // namespace

class PbftFullDiskTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    if (::geteuid() != 0) QSKIP("needs root to mount a tmpfs as the full disk");
  }

  void aValidatorWithAFullDiskIsBoundedAndLosesNoAcceptedReadingOnStop() {
    LocalNetwork net(loaded_network());
    TinyDisk disk(net.path("node-3/plugins/store-sqlite"));
    QVERIFY(disk.mounted());
    net.start_all();
    auto pbft = [&](const std::string& name) {
      return net.metric(kFull, "pbft", name).value_or(-1);
    };

    // Its store refuses blocks: execution stops at 128 waiting blocks, the backlog fills.
    QVERIFY2(eventually([&] { return pbft("backlog_full") == 1; }, 60000),
             qPrintable(net.log_of(kFull)));
    QVERIFY2(eventually([&] { return pbft("store_stalled") == 1; }, 30000),
             qPrintable(net.log_of(kFull)));
    QCOMPARE(pbft("max_pending_readings"), double(kMaxPending));
    // Memory grows while the replica keeps accepting pre-prepares up to its watermark
    // (2 x checkpoint_interval blocks ahead), then stops growing.
    double most_pending = 0, most_blocks = 0;
    double rss_before = rss_kib(net.pid(kFull)), rss = rss_before;
    bool settled = false;
    for (int window = 0; window < 12 && !settled; ++window) {  // at most 36 s
      for (int i = 0; i < 30; ++i) {
        most_pending = std::max(most_pending, pbft("pending_readings"));
        most_blocks = std::max(most_blocks, pbft("blocks_awaiting_store"));
        QTest::qWait(100);
      }
      rss = rss_kib(net.pid(kFull));
      settled = rss - rss_before < 4096;
      rss_before = rss;
    }
    qInfo(
        "validator 3 with a full disk: RSS settled at %.0f KiB; at most %.0f readings and "
        "%.0f blocks waited",
        rss, most_pending, most_blocks);
    QVERIFY2(settled, "memory keeps growing while the store is full");
    QVERIFY2(most_pending <= kMaxPending + 1, qPrintable(QString::number(most_pending)));
    QVERIFY2(most_blocks <= 128, qPrintable(QString::number(most_blocks)));
    QVERIFY(pbft("readings_held_back") > 0);
    QVERIFY(net.log_of(kFull).contains("pbft: the backlog is full"));
    itc::testing::AdminClient admin(QString("http://127.0.0.1:%1").arg(net.admin_port(kFull)),
                                    QByteArray::fromStdString(net.token(kFull)));
    const QJsonObject stats = admin.next_stats_event();
    QVERIFY2(stats["sourcesHeldBack"].toBool(), QJsonDocument(stats).toJson().constData());
    QVERIFY(stats["readingsWaiting"].toString().toLongLong() >= kMaxPending - 100);
    // The others go on.
    const auto h0 = net.height(0);
    QVERIFY(h0.has_value());
    QVERIFY(eventually([&] { return net.height(0).value_or(0) > *h0; }, 10000));

    // The new metrics are exported under the names the README lists.
    const QByteArray metrics = net.get(kFull, "/metrics").body;
    for (const char* name :
         {"itc_pending_readings{", "itc_backlog_full{", "itc_readings_held_back_total{",
          "itc_max_pending_readings{", "itc_blocks_awaiting_store{", "itc_store_stalled{",
          "itc_handshakes_pending{", "itc_handshakes_peak_pending{",
          "itc_handshakes_refused_total{", "itc_handshakes_refused_per_address_total{",
          "itc_handshakes_timed_out_total{"}) {
      QVERIFY2(metrics.contains(name), name);
    }

    // A clean stop saves what is not stored there, says so, exits 0.
    QCOMPARE(net.terminate(kFull), 0);
    const QString out = net.log_of(kFull);
    const std::uint64_t saved = number_before(out, "readings are not in a block stored here");
    QVERIFY2(saved > 0, qPrintable(out));
    QVERIFY2(out.contains("proposed again at the next start: nothing is lost"), qPrintable(out));
    QVERIFY2(out.contains("| nothing lost"), qPrintable(out));
    const std::string journal = net.path("node-3/plugins/pbft/uncommitted-readings.pb");
    auto batch = itc::pending::PendingJournal(net.path("node-3/plugins/pbft")).load();
    QVERIFY2(batch.ok() && batch->has_value(), batch.status().ToString().c_str());
    QCOMPARE(std::uint64_t((*batch)->readings.size()), saved);
    std::set<std::string> accepted;
    for (const auto& r : (*batch)->readings) accepted.insert(itc::pbft::reading_key(r));
    QCOMPARE(std::uint64_t(accepted.size()), saved);

    // With room, the restarted validator catches up and every saved reading is in the
    // chain exactly once (some were ordered by the network before the stop).
    QVERIFY(disk.grow());
    net.start(kFull);
    QVERIFY2(net.wait_healthy(kFull), qPrintable(net.log_of(kFull)));
    // (Catch-up is paced by the store; on a loaded 2-core machine it has taken over 60 s.)
    QVERIFY2(eventually([&] { return !std::filesystem::exists(journal); }, 180000),
             qPrintable(net.log_of(kFull).right(4000)));
    QVERIFY(net.log_of(kFull).contains("saved by the last stop are proposed again"));
    // Every block its store holds, read from the store: /v1/ledger/head follows the bus and
    // may be a few blocks behind the store just after the journal goes.
    const std::uint64_t announced = net.height(kFull).value_or(0);
    std::uint64_t head = 0;
    std::map<std::string, int> seen;
    for (auto block = net.block(kFull, 1); block; block = net.block(kFull, ++head + 1)) {
      for (const auto& r : block->readings()) ++seen[itc::pbft::reading_key(r)];
    }
    QVERIFY(head >= announced);
    int twice = 0, missing = 0;
    for (const auto& [key, n] : seen) twice += n > 1 ? 1 : 0;
    for (const auto& key : accepted) missing += seen.count(key) ? 0 : 1;
    qInfo("%llu readings saved at the stop; %zu readings in %llu blocks", (unsigned long long)saved,
          seen.size(), (unsigned long long)head);
    QCOMPARE(missing, 0);
    QCOMPARE(twice, 0);
  }

  void aStopThatCannotSaveTheBacklogSaysHowManyReadingsAreLostAndExits4() {
    LocalNetwork net(loaded_network());
    TinyDisk disk(net.path("node-3/plugins"));  // store and journal on the full disk
    QVERIFY(disk.mounted());
    net.start_all();
    QVERIFY2(eventually([&] { return net.metric(kFull, "pbft", "backlog_full").value_or(0) == 1; },
                        60000),
             qPrintable(net.log_of(kFull)));
    QCOMPARE(net.terminate(kFull), 4);
    const QString out = net.log_of(kFull);
    QVERIFY2(number_before(out, "readings are lost") > 0, qPrintable(out));
    QVERIFY2(out.contains("uncommitted-readings.pb failed ("), qPrintable(out));
    QVERIFY2(out.contains("plugin pbft failed to drain"), qPrintable(out));
  }

  void handshakeCapsAreValidatorOptions() {
    NetworkOptions opt;
    opt.pbft_extra = ", max_pending_handshakes: 3";  // not more than the 3 other validators
    LocalNetwork net(opt);
    net.start(0);
    QVERIFY2(
        eventually([&] { return net.log_of(0).contains("max_pending_handshakes (3)"); }, 20000),
        qPrintable(net.log_of(0)));
    NetworkOptions bad;
    bad.pbft_extra = ", max_pending_handshakes_per_address: 0";
    LocalNetwork net2(bad);
    net2.start(0);
    QVERIFY2(eventually(
                 [&] {
                   return net2.log_of(0).contains(
                       "max_pending_handshakes_per_address: must be 1..65536, got 0");
                 },
                 20000),
             qPrintable(net2.log_of(0)));
  }
};

QTEST_GUILESS_MAIN(PbftFullDiskTest)
#include "full_disk_test.moc"
