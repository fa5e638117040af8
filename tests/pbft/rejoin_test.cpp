// A validator killed with SIGKILL under load and restarted must catch up to the head and
// take part in the normal case again promptly — not trail the others by state transfer
// alone, where one more failure would stall the chain. Four real itc-node processes on
// loopback with simulated lamps feeding readings all the time; each round kills one
// validator (backups and primaries in turn), lets the chain move on, restarts it and
// measures the time to rejoin: from the restart until the validator has committed blocks
// through its own votes (the `ordered_blocks` metric) at the head of the chain.
#include <QElapsedTimer>
#include <algorithm>

#include "local_network.hpp"

using itc::testing::eventually;
using itc::testing::LocalNetwork;
using itc::testing::NetworkOptions;

class RejoinTest : public QObject {
  Q_OBJECT

 private slots:
  void killedValidatorRejoinsTheNormalCasePromptly() {
    NetworkOptions opt;
    opt.lamps = 50;
    opt.pbft_extra = ", checkpoint_interval: 8";  // a low watermark window: 16 blocks
    LocalNetwork net(opt);
    net.start_all();
    QVERIFY(eventually([&] { return net.height(0).value_or(0) >= 5; }, 20000));
    const int victims[] = {2, 3, 0, 1, 2, 3};  // validator 0 is the primary of view 0
    std::vector<qint64> rejoin_ms;
    for (int victim : victims) {
      std::vector<int> others;
      for (int i = 0; i < 4; ++i) {
        if (i != victim) others.push_back(i);
      }
      auto head = [&] {
        std::uint64_t h = 0;
        for (int i : others) h = std::max(h, net.height(i).value_or(0));
        return h;
      };
      net.kill(victim);
      const std::uint64_t at_kill = head();
      QVERIFY2(eventually([&] { return head() >= at_kill + 30; }, 60000),
               qPrintable(QString("the chain stalled with validator %1 down").arg(victim)));
      QElapsedTimer since_restart;
      since_restart.start();
      net.start(victim);
      bool rejoined = eventually(
          [&] {
            if (net.metric(victim, "pbft", "ordered_blocks").value_or(0) < 3) return false;
            return net.height(victim).value_or(0) + 8 >= head();
          },
          60000);
      const qint64 ms = since_restart.elapsed();
      qInfo("validator %d rejoined after %lld ms%s", victim, ms, rejoined ? "" : " (NOT rejoined)");
      if (!rejoined) qInfo("%s", qPrintable(net.log_of(victim).right(3000)));
      rejoin_ms.push_back(rejoined ? ms : 999999);
    }
    std::vector<qint64> sorted = rejoin_ms;
    std::sort(sorted.begin(), sorted.end());
    qInfo("time to rejoin over %zu restarts: median %lld ms, max %lld ms", sorted.size(),
          sorted[sorted.size() / 2], sorted.back());
    for (qint64 ms : rejoin_ms)
      QVERIFY2(ms < 15000, qPrintable(QString("a rejoin took %1 ms").arg(ms)));
  }
};

QTEST_GUILESS_MAIN(RejoinTest)
#include "rejoin_test.moc"
