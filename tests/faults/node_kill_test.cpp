// One real node (a single PBFT validator: it orders alone) with simulated lamps feeding
// readings and transfers submitted all the time, so its store is always being written;
// SIGKILLed at a random moment and restarted, ITC_FAULT_ROUNDS times (default 40, the
// ctest; `ITC_FAULT_ROUNDS=100` is the long run, tests/faults/README.md). Each time it
// must reopen its ledger (the SQLite store and the vote journal) and run, with the head
// it reported before the kill intact (the block at that height has the same hash, so the
// same readings and transactions), and every transfer acknowledged so far in the block
// it was acknowledged at. ITC_FAULT_SEED replays a schedule of kills.
#include <random>

#include "chain_audit.hpp"
#include "fault_rounds.hpp"
#include "local_network.hpp"
#include "transfer_load.hpp"

using namespace itc::testing;

class NodeKillTest : public QObject {
  Q_OBJECT

 private slots:
  void ledgerReopensIntactAfterEveryKill() {
    const int rounds = fault_rounds(40);
    const std::uint32_t seed = fault_seed();
    std::mt19937 rng(seed);

    constexpr int kLanes = 4;
    NetworkOptions opt;
    opt.validators = 1;
    opt.accounts = kLanes;
    opt.lamps = 200;  // a report every 500 ms each: 400 readings/s
    opt.pbft_extra = ", batch_delay_ms: 5";
    LocalNetwork net(opt);
    net.start_all();
    TransferLoad load(net, kLanes, seed, [&](int) { return net.running(0); });
    load.start();
    QVERIFY(eventually([&] { return load.counts().committed >= 10; }, 30000));

    std::vector<ChainHead> heads;  // what the node reported before each kill
    std::map<std::string, std::uint64_t> checked;
    for (int round = 1; round <= rounds; ++round) {
      QTest::qWait(std::uniform_int_distribution<int>(50, 800)(rng));
      auto head = chain_head(net, 0);
      QVERIFY2(head, "the node reports no head");
      heads.push_back(*head);
      QTest::qWait(std::uniform_int_distribution<int>(0, 200)(rng));  // more writes go on
      net.kill(0);
      net.start(0);
      QVERIFY2(net.wait_healthy(0), qPrintable(QString("the node did not reopen after kill %1:\n%2")
                                                   .arg(round)
                                                   .arg(net.log_of(0).right(4000))));
      auto block = net.block(0, head->height);
      QVERIFY2(block && block->hash() == head->hash,
               qPrintable(QString("kill %1: the head reported before it (height %2) is %3")
                              .arg(round)
                              .arg(head->height)
                              .arg(block ? "another block" : "gone")));
      std::map<std::string, std::uint64_t> fresh;
      for (const auto& [id, h] : load.acknowledged()) {
        if (!checked.count(id)) fresh.emplace(id, h);
      }
      const std::string missing = missing_acknowledged(net, 0, fresh);
      QVERIFY2(missing.empty(), qPrintable(QString("after kill %1:\n").arg(round) +
                                           QString::fromStdString(missing)));
      checked.insert(fresh.begin(), fresh.end());
    }
    load.stop();
    QVERIFY(eventually([&] { return load.idle(); }, 45000));

    // Every head reported before a kill is still there, and every acknowledged transfer.
    for (const ChainHead& h : heads) {
      auto block = net.block(0, h.height);
      QVERIFY2(block && block->hash() == h.hash,
               qPrintable(QString("the block at %1 changed or went").arg(h.height)));
    }
    const std::string missing = missing_acknowledged(net, 0, load.acknowledged());
    QVERIFY2(missing.empty(), missing.c_str());
    auto head = chain_head(net, 0);
    QVERIFY(head);
    std::map<std::string, std::uint64_t> on_chain;
    const std::string twice = ordered_twice(net, 0, head->height, &on_chain);
    QVERIFY2(twice.empty(), twice.c_str());
    qInfo(
        "%d kills survived: head intact each time (height %llu at the end), every "
        "acknowledged transfer present, none twice",
        rounds, static_cast<unsigned long long>(head->height));
    load.print_summary(on_chain);
    // A client told "refused" (422) must not find its transfer on the chain.
    for (const auto& line : load.refused_but_committed(on_chain)) QFAIL(line.c_str());
  }
};

QTEST_GUILESS_MAIN(NodeKillTest)
#include "node_kill_test.moc"
