// A real itc-node (sim-lighting -> normalize -> solo -> store-sqlite, signed packages) and
// its disk. What a user relies on:
// - with a retention budget the store prunes old blocks while the node runs; a pruned block,
//   and a proof of one of its readings, answer 410 Gone "pruned at height N (retention
//   keeps ...)", while every retained block is served whole (proofs on a certified chain:
//   tests/light/light_retention_test.cpp);
// - with its data dir on a small filesystem (a tmpfs) that fills past the refuse watermark
//   the node refuses new work (POST /v1/tx 507 naming the data dir and its free bytes; new
//   readings refused and counted), keeps serving and commits every reading it had taken,
//   and takes work again on its own once space is freed.
//
// The watermark test needs root (mount -t tmpfs); it is skipped otherwise.
#include <sys/statvfs.h>
#include <unistd.h>

#include <QJsonArray>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "eventually.hpp"
#include "free_port.hpp"
#include "full_disk.hpp"
#include "itc/crypto.hpp"
#include "node_process.hpp"

using itc::testing::eventually;
using itc::testing::free_port;
using itc::testing::NodeConfig;
using itc::testing::NodeProcess;
using itc::testing::run_command;

namespace {

std::string lamps(int count) {
  auto owner = itc::crypto::Ed25519PrivateKey::generate();
  return "lamps: " + std::to_string(count) +
         ", report_interval_ms: 100, fleet_seed: retention, profile: dimmable-lamp, "
         "owner_public_key: " +
         itc::crypto::to_hex(owner->public_key());
}

// The value of the first /metrics line that starts with `series` ("itc_disk_watermark{
// level=\"refuse\"}"), nullopt if none.
std::optional<double> series(NodeProcess& node, const std::string& prefix) {
  const auto r = node.get("/metrics");
  if (r.status != 200) return std::nullopt;
  std::istringstream lines(r.body.toStdString());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(prefix + " ", 0) == 0) return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return std::nullopt;
}

double metric(NodeProcess& node, const std::string& plugin, const std::string& name) {
  return node.metric(plugin, name).value_or(-1);
}

std::uint64_t free_bytes(const std::string& dir) {
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) return 0;
  return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
}

std::uint64_t size_bytes(const std::string& dir) {
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) return 0;
  return static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize;
}

// Writes `bytes` of zeros to `path` (a ballast that takes the filesystem's space).
bool write_ballast(const std::string& path, std::uint64_t bytes) {
  std::ofstream out(path, std::ios::binary);
  const std::string chunk(1 << 20, '\0');
  for (std::uint64_t done = 0; done < bytes && out; done += chunk.size()) {
    out.write(chunk.data(),
              static_cast<std::streamsize>(std::min<std::uint64_t>(chunk.size(), bytes - done)));
  }
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace

class DiskRetentionNodeTest : public QObject {
  Q_OBJECT

 private slots:
  void aPrunedBlockAnswersGoneWithTheReasonAndRetainedOnesAreServed() {
    NodeProcess node;
    NodeConfig config("retention", free_port());
    config.plugin("sim-lighting", lamps(200))
        .plugin("normalize", "verify_signatures: false")
        .plugin("store-sqlite", "retention: {budget_mb: 1, interval_ms: 200, batch_blocks: 8}")
        .plugin("solo", "block_interval_ms: 100, max_block_readings: 1000");
    node.write_config(config);
    QVERIFY2(node.start_running(), qPrintable(node.run_log()));

    // 200 lamps report 6 metrics every 100 ms: the 1 MiB budget is reached within seconds
    // and the store prunes the oldest blocks from then on.
    QVERIFY2(eventually([&] { return metric(node, "store-sqlite", "ledger_pruned_through") >= 5; },
                        60000),
             qPrintable(node.run_log()));
    QVERIFY(metric(node, "store-sqlite", "ledger_kept_bytes") > 0);
    QVERIFY(metric(node, "store-sqlite", "ledger_pruned_blocks_total") >= 5);

    auto gone = node.get("/v1/ledger/blocks/2");
    QCOMPARE(gone.status, 410);
    QVERIFY2(gone.json["error"].toString().contains("block 2: pruned at height 2 (blocks 1.."),
             gone.body.constData());
    QVERIFY2(gone.json["error"].toString().contains("retention keeps readings and transactions"),
             gone.body.constData());
    QVERIFY2(gone.json["error"].toString().contains("at most 1 MB"), gone.body.constData());
    QCOMPARE(gone.json["code"].toString(), QString("Gone"));
    auto proof = node.get("/v1/proofs/reading/2/0");
    QCOMPARE(proof.status, 410);
    QVERIFY2(proof.body.contains("pruned at height 2"), proof.body.constData());
    // Its header is kept (solo certifies no block, so a header proof needs pbft:
    // tests/light/light_retention_test.cpp); what is refused here is the missing QC.
    auto header = node.get("/v1/proofs/header?height=2");
    QCOMPARE(header.status, 400);
    QVERIFY2(header.body.contains("quorum certificate"), header.body.constData());

    // The newest blocks are whole (retention keeps about a second of this load: a block may
    // be pruned between two requests, so ask again).
    QString last;
    QVERIFY2(eventually(
                 [&] {
                   const auto head = node.get("/v1/ledger/head");
                   const auto height =
                       head.json["header"].toObject()["height"].toVariant().toULongLong();
                   const auto block = node.get(QString("/v1/ledger/blocks/%1").arg(height));
                   last = QString::fromUtf8(block.body.left(300));
                   const auto count =
                       block.json["header"].toObject()["readingCount"].toVariant().toULongLong();
                   return block.status == 200 && count > 0 &&
                          static_cast<std::uint64_t>(block.json["readings"].toArray().size()) ==
                              count;
                 },
                 20000),
             qPrintable(last));
    QCOMPARE(node.terminate(), 0);
  }

  void aFullingDiskRefusesNewWorkLosesNothingTakenAndRecovers() {
    if (::geteuid() != 0) QSKIP("needs root to mount a tmpfs as the data dir's disk");
    NodeProcess node;
    const std::string data = node.path("data");
    std::filesystem::create_directories(data);
    QVERIFY(run_command("mount",
                        {"-t", "tmpfs", "-o", "size=256m", "tmpfs", QString::fromStdString(data)}));
    struct Unmount {
      NodeProcess& node;
      std::string dir;
      ~Unmount() {
        node.kill();
        run_command("umount", {"-l", QString::fromStdString(dir)});
      }
    } unmount{node, data};

    NodeConfig config("watermark", free_port());
    config
        .node_yaml(
            "  disk: {warn_free_percent: 60, refuse_free_percent: 50, refuse_free_mb: 1, "
            "check_interval_ms: 200}\n")
        .plugin("sim-lighting", lamps(50))
        .plugin("normalize", "verify_signatures: false")
        .plugin("store-sqlite", "retention: {keep_everything: true}")
        .plugin("solo", "block_interval_ms: 100, max_block_readings: 1000");
    node.write_config(config);
    QVERIFY2(node.start_running(), qPrintable(node.run_log()));
    QVERIFY2(eventually([&] { return metric(node, "solo", "readings_committed") > 0; }, 30000),
             qPrintable(node.run_log()));
    QCOMPARE(series(node, "itc_disk_watermark{level=\"refuse\"}").value_or(-1), 0.0);
    QVERIFY(series(node, "itc_disk_free_bytes").value_or(0) > 0);

    // A ballast leaves 40% of the filesystem free: below the refuse watermark (50%).
    const std::string ballast = data + "/ballast";
    const std::uint64_t size = size_bytes(data);
    QVERIFY(write_ballast(ballast, free_bytes(data) - size / 100 * 40));
    QVERIFY2(
        eventually(
            [&] { return series(node, "itc_disk_watermark{level=\"refuse\"}").value_or(0) == 1; },
            20000),
        qPrintable(node.run_log()));
    QCOMPARE(series(node, "itc_disk_watermark{level=\"warn\"}").value_or(-1), 1.0);

    // New work is refused with the reason; reads are still served.
    auto tx = node.request("POST", "/v1/tx", "{}");
    QCOMPARE(tx.status, 507);
    QCOMPARE(tx.json["code"].toString(), QString("InsufficientStorage"));
    const QString why = tx.json["error"].toString();
    QVERIFY2(why.contains("not taking new work: data dir " + QString::fromStdString(data)),
             qPrintable(why));
    QVERIFY2(why.contains("bytes free") && why.contains("below the refuse watermark"),
             qPrintable(why));
    QCOMPARE(node.get("/v1/ledger/head").status, 200);
    QVERIFY2(
        eventually([&] { return metric(node, "normalize", "frames_rejected_disk_watermark") > 0; },
                   20000),
        qPrintable(node.run_log()));
    QVERIFY(node.run_log().contains("disk: refusing new work: data dir"));

    // Nothing taken is lost: every reading normalize published gets committed, and no
    // more are taken while the disk stays below the mark.
    QVERIFY2(eventually(
                 [&] {
                   const double out = metric(node, "normalize", "readings_out");
                   return out > 0 && metric(node, "solo", "readings_committed") == out &&
                          metric(node, "solo", "pending_readings") == 0;
                 },
                 30000),
             qPrintable(node.run_log()));
    const double taken = metric(node, "normalize", "readings_out");
    const double rejected = metric(node, "normalize", "frames_rejected_disk_watermark");
    QVERIFY(eventually(
        [&] { return metric(node, "normalize", "frames_rejected_disk_watermark") > rejected; }));
    QCOMPARE(metric(node, "normalize", "readings_out"), taken);
    QCOMPARE(metric(node, "solo", "readings_committed"), taken);

    // Space freed: the node takes work again on its own.
    QVERIFY(std::filesystem::remove(ballast));
    QVERIFY2(
        eventually(
            [&] { return series(node, "itc_disk_watermark{level=\"refuse\"}").value_or(1) == 0; },
            20000),
        qPrintable(node.run_log()));
    QVERIFY2(eventually([&] { return metric(node, "normalize", "readings_out") > taken; }, 20000),
             qPrintable(node.run_log()));
    QVERIFY(eventually([&] { return metric(node, "solo", "readings_committed") > taken; }));
    QVERIFY(node.run_log().contains("taking new work again"));
    // Without a transaction pool (solo) the node answers 503 again, not 507.
    QCOMPARE(node.request("POST", "/v1/tx", "{}").status, 503);
    QCOMPARE(node.terminate(), 0);
  }
};

QTEST_GUILESS_MAIN(DiskRetentionNodeTest)
#include "disk_retention_node_test.moc"
