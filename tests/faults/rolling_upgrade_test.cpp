// A rolling upgrade as an operator runs one (deploy/README.md, "Rolling upgrade"): four real
// validators under transaction load, each in turn stopped cleanly (SIGTERM, as
// `systemctl restart` does), started again and waited for before the next. What a user
// relies on: the chain commits throughout (f = 1, one validator down at a time); each stop
// exits 0 having lost nothing; afterwards all four agree on one head and hold every
// transfer acknowledged as committed, none twice. It prints the longest time without a
// commit acknowledgment while a validator was down, against the longest before the roll.
// The binary is the same build before and after (there is no older release to upgrade from
// yet): what is exercised is the clean stop, the restart from the data directory and the
// rejoin while the rest carry the load.
#include <QElapsedTimer>
#include <algorithm>

#include "chain_audit.hpp"
#include "fault_rounds.hpp"
#include "local_network.hpp"
#include "transfer_load.hpp"

using namespace itc::testing;

namespace {

// The longest stretch without a new commit acknowledgment, across every wait of the test.
class CommitGap {
 public:
  explicit CommitGap(const TransferLoad& load) : load_(load), last_(load.counts().committed) {
    clock_.start();
  }
  // Samples every 10 ms for up to `limit_ms`, or until `until` (asked every 100 ms) holds.
  void watch(
      int limit_ms, const std::function<bool()>& until = [] { return false; }) {
    const qint64 end = clock_.elapsed() + limit_ms;
    qint64 asked = 0;
    while (clock_.elapsed() < end) {
      if (clock_.elapsed() - asked >= 100) {
        if (until()) break;
        asked = clock_.elapsed();
      }
      QTest::qWait(10);
      const auto now = load_.counts().committed;
      if (now != last_) {
        longest_ = std::max(longest_, clock_.elapsed() - since_);
        since_ = clock_.elapsed();
        last_ = now;
      }
    }
  }
  void reset() {
    longest_ = 0;
    since_ = clock_.elapsed();
  }
  qint64 longest() const { return std::max(longest_, clock_.elapsed() - since_); }

 private:
  const TransferLoad& load_;
  QElapsedTimer clock_;
  std::uint64_t last_;
  qint64 since_ = 0;
  qint64 longest_ = 0;
};

}  // namespace

class RollingUpgradeTest : public QObject {
  Q_OBJECT

 private slots:
  void validatorsRestartedOneAtATimeKeepCommittingAndLoseNothing() {
    const std::uint32_t seed = fault_seed();
    constexpr int kLanes = 8;
    NetworkOptions opt;
    opt.accounts = kLanes;
    opt.pbft_extra = ", batch_delay_ms: 10, checkpoint_interval: 16";
    LocalNetwork net(opt);
    net.start_all();
    TransferLoad load(net, kLanes, seed, [&](int i) { return net.running(i); });
    load.start();
    QVERIFY(eventually([&] { return load.counts().committed >= 20; }, 30000));
    CommitGap gap(load);
    gap.watch(3000);
    const qint64 steady = gap.longest();
    gap.reset();

    QElapsedTimer roll;
    roll.start();
    for (int v = 0; v < 4; ++v) {
      const auto before = load.counts().committed;
      const int rc = net.terminate(v);
      QVERIFY2(rc == 0, qPrintable(QString("validator %1: SIGTERM exit %2:\n%3")
                                       .arg(v)
                                       .arg(rc)
                                       .arg(net.node(v).run_log().right(3000))));
      QVERIFY2(
          net.node(v).run_log().contains("nothing lost"),
          qPrintable(QString("validator %1's clean stop did not report 'nothing lost'").arg(v)));
      // Down for a moment, as a package upgrade would keep it, with three carrying the load.
      gap.watch(1000);
      net.start(v);
      gap.watch(30000, [&] { return net.wait_healthy(v, 0); });
      QVERIFY2(net.wait_healthy(v), qPrintable(QString("validator %1 did not come back:\n%2")
                                                   .arg(v)
                                                   .arg(net.log_of(v).right(3000))));
      gap.watch(30000, [&] { return load.counts().committed > before + 10; });
      QVERIFY2(load.counts().committed > before + 10,
               qPrintable(QString("commits stopped around validator %1's restart").arg(v)));
    }
    const qint64 roll_ms = roll.elapsed();
    const qint64 worst = gap.longest();
    load.stop();
    QVERIFY(eventually([&] { return load.idle(); }, 45000));
    qInfo(
        "rolled 4 validators in %lld ms; longest commit gap %lld ms during the roll, %lld ms "
        "in 3 s of steady load before it",
        static_cast<long long>(roll_ms), static_cast<long long>(worst),
        static_cast<long long>(steady));

    std::string detail;
    auto head = agreed_head(net, {0, 1, 2, 3}, 60000, &detail);
    QVERIFY2(head, ("the validators do not agree:\n" + detail).c_str());
    for (int i = 0; i < 4; ++i) {
      const std::string missing = missing_acknowledged(net, i, load.acknowledged());
      QVERIFY2(missing.empty(), missing.c_str());
    }
    std::map<std::string, std::uint64_t> on_chain;
    const std::string twice = ordered_twice(net, 0, head->height, &on_chain);
    QVERIFY2(twice.empty(), twice.c_str());
    qInfo("all four at height %llu; %zu acknowledged transfers on all four, none twice",
          static_cast<unsigned long long>(head->height), load.acknowledged().size());
    load.print_summary(on_chain);
    for (const auto& line : load.refused_but_committed(on_chain)) QFAIL(line.c_str());
  }
};

QTEST_GUILESS_MAIN(RollingUpgradeTest)
#include "rolling_upgrade_test.moc"
