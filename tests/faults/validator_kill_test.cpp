// Four real validators under transaction load; a validator drawn at random is SIGKILLed at
// a random moment (mid-vote, mid-write, mid-answer: whatever it was doing) and restarted,
// ITC_FAULT_ROUNDS times (default 12, the ctest; `ITC_FAULT_ROUNDS=100` is the long run,
// tests/faults/README.md). At most one validator is down at a time (f = 1), so the chain
// must keep committing all along. Afterwards: every validator reports the same head
// (height, block hash, state root), every transfer acknowledged as committed is in the
// block it was acknowledged at on every validator, and none is ordered twice.
// ITC_FAULT_SEED replays a schedule of kills (the seed is printed).
#include <QElapsedTimer>
#include <random>

#include "chain_audit.hpp"
#include "fault_rounds.hpp"
#include "local_network.hpp"
#include "transfer_load.hpp"

using namespace itc::testing;

class ValidatorKillTest : public QObject {
  Q_OBJECT

 private slots:
  void everyAcknowledgedTransferSurvivesRandomKills() {
    const int rounds = fault_rounds(12);
    const std::uint32_t seed = fault_seed();
    std::mt19937 rng(seed);

    constexpr int kLanes = 8;
    NetworkOptions opt;
    opt.accounts = kLanes;
    opt.pbft_extra = ", batch_delay_ms: 10, checkpoint_interval: 16";
    LocalNetwork net(opt);
    net.start_all();
    TransferLoad load(net, kLanes, seed, [&](int i) { return net.running(i); });
    load.start();
    QVERIFY(eventually([&] { return load.counts().committed >= 20; }, 30000));

    QElapsedTimer elapsed;
    elapsed.start();
    std::vector<int> kills(4, 0);
    for (int round = 1; round <= rounds; ++round) {
      QTest::qWait(std::uniform_int_distribution<int>(100, 1500)(rng));
      const int victim = static_cast<int>(rng() % 4);
      const auto before = load.counts().committed;
      net.kill(victim);
      ++kills[static_cast<std::size_t>(victim)];
      QTest::qWait(std::uniform_int_distribution<int>(0, 1500)(rng));
      net.start(victim);
      QVERIFY2(net.wait_healthy(victim),
               qPrintable(QString("validator %1 did not come back after kill %2:\n%3")
                              .arg(victim)
                              .arg(round)
                              .arg(net.log_of(victim).right(3000))));
      // Three validators carry the chain while the fourth restarts: commits go on.
      QVERIFY2(
          eventually([&] { return load.counts().committed > before; }, 30000),
          qPrintable(
              QString("nothing committed after kill %1 (validator %2)").arg(round).arg(victim)));
    }
    load.stop();
    QVERIFY(eventually([&] { return load.idle(); }, 45000));
    qInfo("%d kills in %lld ms (validators 0-3: %d %d %d %d)", rounds,
          static_cast<long long>(elapsed.elapsed()), kills[0], kills[1], kills[2], kills[3]);

    std::string detail;
    auto head = agreed_head(net, {0, 1, 2, 3}, 60000, &detail);
    QVERIFY2(head, ("the validators do not agree:\n" + detail).c_str());
    qInfo("all four at height %llu, one block hash and state root",
          static_cast<unsigned long long>(head->height));
    for (int i = 0; i < 4; ++i) {
      const std::string missing = missing_acknowledged(net, i, load.acknowledged());
      QVERIFY2(missing.empty(), missing.c_str());
    }
    std::map<std::string, std::uint64_t> on_chain;
    const std::string twice = ordered_twice(net, 0, head->height, &on_chain);
    QVERIFY2(twice.empty(), twice.c_str());
    qInfo("%zu acknowledged transfers present on all four, none ordered twice",
          load.acknowledged().size());
    load.print_summary(on_chain);
    // A client told "refused" (422) must not find its transfer on the chain.
    for (const auto& line : load.refused_but_committed(on_chain)) QFAIL(line.c_str());
  }
};

QTEST_GUILESS_MAIN(ValidatorKillTest)
#include "validator_kill_test.moc"
