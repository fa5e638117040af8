// A QoS 1 reading the node acknowledged (libmosquitto sends the PUBACK as the message
// arrives) is never lost by a stop, even while the ledger's disk is full. A real mosquitto,
// a device publishing QoS 1 JSON, and a real itc-node (mqtt, normalize, control, solo,
// store-sqlite) whose store sits on a 512 KiB tmpfs. The node is stopped with its backlog
// full and restarted with room on the same persistent session: what it had acknowledged
// comes back from its journal, the rest from the broker, and every message is committed.
//
// Needs root (mount -t tmpfs); skipped otherwise.
#include <unistd.h>

#include <QJsonArray>
#include <QtTest>
#include <cmath>
#include <filesystem>
#include <set>

#include "mqtt_peers.hpp"

using itc::testing::eventually;
using itc::testing::MosquittoBroker;
using itc::testing::MqttClient;
using itc::testing::MqttNode;

namespace {

constexpr int kMessages = 6000;  // 6 readings each

bool run(const QString& program, const QStringList& args) {
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(program, args);
  return p.waitForFinished(20000) && p.exitCode() == 0;
}

}  // namespace

class FullDiskAckTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    if (::geteuid() != 0) QSKIP("needs root to mount a tmpfs as the full disk");
  }

  void everyMessageTheNodeAcknowledgedIsCommittedAfterAStopWithTheDiskFull() {
    MosquittoBroker broker("max_queued_messages 0\n");  // the broker keeps what is not acked
    MqttNode node;
    const std::string store_dir = node.path("data/plugins/store-sqlite");
    std::filesystem::create_directories(store_dir);
    const QString mount_point = QString::fromStdString(store_dir);
    QVERIFY(run("mount", {"-t", "tmpfs", "-o", "size=512k", "tmpfs", mount_point}));
    struct Unmount {
      QString at;
      ~Unmount() { run("umount", {"-l", at}); }
    } unmount{mount_point};

    const std::string packages = itc::testing::env_or("ITC_PACKAGE_DIR");
    const std::string yaml =
        node.yaml("broker: " + broker.address() +
                  ", client_id: itc-full-disk, persistent_session: true, keepalive_s: 5, "
                  "reconnect: {min_delay_ms: 100, max_delay_ms: 500}, "
                  "devices: [{id: lamp-1, profile: dimmable-lamp, qos: 1}]") +
        "  - name: store-sqlite\n    package: " + packages +
        "/store-sqlite.itcpkg\n  - name: solo\n    package: " + packages +
        "/solo.itcpkg\n    config: {block_interval_ms: 100, max_block_readings: 1000, "
        "max_pending_readings: 5000}\n";
    QVERIFY2(node.start_with(yaml), qPrintable(node.log()));
    QVERIFY(eventually([&] { return node.metric("mqtt", "broker_connected") == 1.0; }));

    // The device publishes; the store fills up and the backlog with it.
    MqttClient device("lamp-1-device", broker.port());
    for (int i = 1; i <= kMessages; ++i) {
      device.publish("lights/lamp-1/state",
                     "{\"power_mw\":" + std::to_string(i) +
                         ",\"temperature_dc\":231,\"dim_pct\":80,\"on\":true,\"occupancy\":2,"
                         "\"fault\":false}",
                     1);
    }
    QVERIFY(eventually([&] { return device.acknowledged() == std::uint64_t(kMessages); }, 60000));
    QVERIFY2(eventually([&] { return node.metric("solo", "backlog_full") == 1.0; }, 60000),
             qPrintable(node.log()));

    // SIGTERM with the disk still full: what waits is saved, nothing is lost.
    QCOMPARE(node.process().terminate(60000), 0);  // -1: it did not exit in time
    QVERIFY2(node.log().contains("committed first at the next start: nothing is lost"),
             qPrintable(node.log()));
    QVERIFY2(node.log().contains("| nothing lost"), qPrintable(node.log()));

    // Room again; the same session: the journal and the broker's queue are committed.
    QVERIFY(run("mount", {"-o", "remount,size=256m", mount_point}));
    QVERIFY2(node.start_with(yaml), qPrintable(node.log()));
    std::set<long> powers;  // power_mw of every committed lamp-1 power reading
    std::uint64_t next_height = 1;
    QVERIFY2(eventually(
                 [&] {
                   for (;; ++next_height) {
                     auto block = node.get(QString("/v1/ledger/blocks/%1").arg(next_height));
                     if (block.status != 200) break;
                     for (const auto& r : block.json["readings"].toArray()) {
                       const auto o = r.toObject();
                       if (o["deviceId"] == "lamp-1" && o["metric"] == "power")
                         powers.insert(std::lround(o["value"].toDouble() * 1000));
                     }
                   }
                   return powers.size() == std::size_t(kMessages);
                 },
                 60000),
             qPrintable(QString("%1 of %2 messages committed").arg(powers.size()).arg(kMessages)));
    QCOMPARE(*powers.begin(), 1L);
    QCOMPARE(*powers.rbegin(), long(kMessages));
  }
};

QTEST_GUILESS_MAIN(FullDiskAckTest)
#include "full_disk_ack_test.moc"
