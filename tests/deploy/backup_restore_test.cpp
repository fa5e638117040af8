// `itc-node backup` and `itc-node restore` on a real 4-validator network: validator 3 is
// backed up while the network commits transfers and its lamps' readings, then its machine
// is lost (SIGKILL, data directory wiped); the backup is restored there and the validator
// catches up from its peers with every block the others have, the blocks after the
// snapshot fetched by state transfer. Prints the backup's and the restore's time.
#include <QProcess>
#include <QtTest>
#include <filesystem>

#include "local_network.hpp"

using namespace itc::testing;
namespace fs = std::filesystem;

namespace {

struct Run {
  int code = -1;
  QString output;
};

Run itc_node(const QStringList& args) {
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(ITC_NODE_BIN, args);
  if (!p.waitForFinished(120000)) return {-1, "did not finish"};
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          QString::fromUtf8(p.readAll())};
}

// Submits `count` transfers from account `from`, nonces from `nonce`, to validator `via`.
void submit_transfers(LocalNetwork& net, int via, int from, std::uint64_t nonce, int count) {
  for (int k = 0; k < count; ++k) {
    const HttpReply r =
        net.submit(via, net.transfer(from, 1, 1, nonce + static_cast<std::uint64_t>(k)));
    QVERIFY2(r.status == 200 || r.status == 202, r.body.constData());
  }
}

}  // namespace

class BackupRestoreTest : public QObject {
  Q_OBJECT

 private slots:
  void restore_onto_a_wiped_validator_catches_up() {
    NetworkOptions opt;
    opt.lamps = 20;
    LocalNetwork net(opt);
    net.start_all();
    const QString config = QString::fromStdString(net.node(3).config_path());
    const QString backup_dir = QString::fromStdString(net.path("backup-validator-3"));

    // Under load: transfers before, readings throughout.
    submit_transfers(net, 0, 0, 1, 20);
    QVERIFY(eventually([&] { return net.height(3).value_or(0) >= 10; }, 60000));

    const Run backup = itc_node({"backup", "--config", config, "--to", backup_dir});
    QVERIFY2(backup.code == 0, qPrintable(backup.output));
    qInfo("%s", qPrintable(backup.output.trimmed()));
    // A second backup into the same directory is refused, the first left as it was.
    const Run again = itc_node({"backup", "--config", config, "--to", backup_dir});
    QCOMPARE(again.code, 1);
    QVERIFY2(again.output.contains("not empty"), qPrintable(again.output));

    // More work after the snapshot, which the restored validator must fetch from peers.
    submit_transfers(net, 1, 2, 1, 20);
    const std::uint64_t snapshot_height = *net.height(3);
    QVERIFY(eventually([&] { return net.height(0).value_or(0) >= snapshot_height + 10; }, 60000));

    // The machine is lost: no clean stop, its data directory gone.
    net.kill(3);
    fs::remove_all(net.path("node-3"));

    // Restore refuses a damaged backup without touching the node.
    const QString damaged = QString::fromStdString(net.path("damaged"));
    fs::create_directories(damaged.toStdString());
    fs::copy_file(backup_dir.toStdString() + "/plugin-kv.sqlite",
                  damaged.toStdString() + "/plugin-kv.sqlite");
    {
      std::ofstream junk(damaged.toStdString() + "/ledger.sqlite", std::ios::binary);
      junk << "not a database at all, just bytes of a truncated copy";
    }
    const Run bad = itc_node({"restore", "--config", config, "--from", damaged});
    QCOMPARE(bad.code, 1);
    QVERIFY2(bad.output.contains("ledger.sqlite"), qPrintable(bad.output));
    QVERIFY(!fs::exists(net.path("node-3/plugins/store-sqlite/ledger.sqlite")));

    const Run restore = itc_node({"restore", "--config", config, "--from", backup_dir});
    QVERIFY2(restore.code == 0, qPrintable(restore.output));
    qInfo("%s", qPrintable(restore.output.trimmed()));
    // A ledger in place is never overwritten.
    const Run twice = itc_node({"restore", "--config", config, "--from", backup_dir});
    QCOMPARE(twice.code, 1);
    QVERIFY2(twice.output.contains("exists"), qPrintable(twice.output));

    net.start(3);
    if (!net.wait_healthy(3)) {
      qWarning("%s", qPrintable(net.log_of(3).right(6000)));
      QFAIL("the restored validator did not start");
    }
    const std::uint64_t restored_at = net.height(3).value_or(0);
    QVERIFY2(restored_at > 0, "the restored validator starts from the snapshot, not from genesis");

    // Catches up past what the others had when it came back, while they go on.
    submit_transfers(net, 0, 3, 1, 10);
    const std::uint64_t target = net.height(0).value_or(0);
    QVERIFY2(eventually([&] { return net.height(3).value_or(0) >= target; }, 120000),
             qPrintable(net.log_of(3)));

    // Nothing lost: every block up to the target is the one validator 0 stores.
    for (std::uint64_t h = 1; h <= target; ++h) {
      const auto mine = net.block(3, h);
      const auto theirs = net.block(0, h);
      QVERIFY2(mine && theirs, qPrintable(QString("block %1 missing").arg(h)));
      QVERIFY2(mine->header().SerializeAsString() == theirs->header().SerializeAsString(),
               qPrintable(QString("block %1 differs").arg(h)));
    }
    // The gauge is refreshed with the node's stats, a moment after the blocks are applied.
    double fetched = 0;
    eventually(
        [&] { return (fetched = net.metric(3, "pbft", "transferred_blocks").value_or(0)) > 0; },
        10000);
    // Readings keep the others committing, so it may fetch past `target`; blocks from the
    // snapshot are never fetched: at most every block above the restored height is.
    const std::uint64_t now_at = net.height(3).value_or(0);
    QVERIFY2(fetched > 0 && fetched <= static_cast<double>(now_at - restored_at),
             qPrintable(QString("%1 blocks fetched by state transfer, restored at %2, now at "
                                "%3: the snapshot was not used, or state transfer was not")
                            .arg(fetched)
                            .arg(restored_at)
                            .arg(now_at)));
    qInfo("validator 3 restored at height %llu, caught up to %llu (%.0f blocks by state transfer)",
          static_cast<unsigned long long>(restored_at), static_cast<unsigned long long>(target),
          fetched);
    QCOMPARE(net.terminate(3), 0);
  }
};

QTEST_GUILESS_MAIN(BackupRestoreTest)
#include "backup_restore_test.moc"
