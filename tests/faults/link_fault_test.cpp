// Four real validators under transaction load; validator 3's peers reach it only through a
// FaultyLink (a TCP proxy in this test, at validator 3's genesis address). The link first
// corrupts bytes, then stalls, then heals. What a user relies on: the other three keep
// committing all along; corrupted bytes are refused where they arrive (TLS 1.3 authenticates
// every record: a flipped byte fails it and the link is dropped and redialled), never
// taken as a message and never crashing a node; after the link heals, validator 3 catches
// up, all four agree on the head and every acknowledged transfer is on every validator.
#include <random>

#include "chain_audit.hpp"
#include "fault_rounds.hpp"
#include "faulty_link.hpp"
#include "local_network.hpp"
#include "transfer_load.hpp"

using namespace itc::testing;

namespace {

constexpr int kBehind = 3;  // the validator behind the faulty link
constexpr int kPhaseMs = 8000;

// Transfers committed during `ms` of the test's time.
std::uint64_t committed_during(TransferLoad& load, int ms) {
  const auto before = load.counts().committed;
  QTest::qWait(ms);
  return load.counts().committed - before;
}

}  // namespace

class LinkFaultTest : public QObject {
  Q_OBJECT

 private slots:
  void networkKeepsCommittingThroughACorruptingAndStallingLink() {
    const std::uint32_t seed = fault_seed();
    constexpr int kLanes = 8;
    const std::uint16_t real_port = free_port();
    NetworkOptions opt;
    opt.accounts = kLanes;
    opt.pbft_extra = ", batch_delay_ms: 10, checkpoint_interval: 16";
    opt.pbft_extra_of[kBehind] =
        ", listen_address: \"127.0.0.1:" + std::to_string(real_port) + "\"";
    LocalNetwork net(opt);
    FaultyLink link(net.peer_port(kBehind), real_port, seed);
    QVERIFY(link.listening());
    net.start_all();
    // Transfers go to the other three: validator 3 learns of commits only through the link,
    // so its clients wait while it is cut off (up to request_timeout_ms), as they should.
    TransferLoad load(net, kLanes, seed, [](int i) { return i != kBehind; });
    load.start();
    QVERIFY(
        eventually([&] { return net.metric(kBehind, "pbft", "peers_connected") >= 3.0; }, 30000));
    const std::uint64_t clean = committed_during(load, kPhaseMs);
    QVERIFY2(clean > 0, "nothing committed with every link clean");

    link.set_mode(FaultyLink::Mode::kCorrupt);
    const auto rejected_before = net.metric(kBehind, "pbft", "frames_rejected").value_or(0);
    const std::uint64_t corrupt = committed_during(load, kPhaseMs);
    const auto flipped = link.bytes_flipped();
    const auto dialled = link.connections();
    link.set_mode(FaultyLink::Mode::kStall);
    const std::uint64_t stalled = committed_during(load, kPhaseMs);
    link.set_mode(FaultyLink::Mode::kPass);
    const std::uint64_t healed = committed_during(load, kPhaseMs);
    qInfo(
        "transfers committed per %d ms: links clean %llu, validator 3's link corrupting %llu "
        "(%llu bytes flipped, %llu connections through it), stalled %llu, healed %llu",
        kPhaseMs, static_cast<unsigned long long>(clean), static_cast<unsigned long long>(corrupt),
        static_cast<unsigned long long>(flipped), static_cast<unsigned long long>(dialled),
        static_cast<unsigned long long>(stalled), static_cast<unsigned long long>(healed));
    QVERIFY2(flipped > 0, "the link corrupted nothing: the test tested nothing");
    QVERIFY2(corrupt > 0, "the network stopped committing while one link corrupted bytes");
    QVERIFY2(stalled > 0, "the network stopped committing while one link stalled");
    for (int i = 0; i < 4; ++i) {
      QVERIFY2(net.running(i),
               qPrintable(QString("validator %1 died:\n%2").arg(i).arg(net.log_of(i).right(3000))));
    }
    // Corrupt bytes never reached the protocol as a message (TLS refused them first).
    QCOMPARE(net.metric(kBehind, "pbft", "frames_rejected").value_or(0), rejected_before);

    load.stop();
    QVERIFY(eventually([&] { return load.idle(); }, 45000));
    std::string detail;
    auto head = agreed_head(net, {0, 1, 2, 3}, 60000, &detail);
    QVERIFY2(head, ("the validators do not agree after the link healed:\n" + detail).c_str());
    for (int i = 0; i < 4; ++i) {
      const std::string missing = missing_acknowledged(net, i, load.acknowledged());
      QVERIFY2(missing.empty(), missing.c_str());
    }
    qInfo(
        "all four at height %llu; %zu acknowledged transfers on each; %llu refused, %llu "
        "unanswered",
        static_cast<unsigned long long>(head->height), load.acknowledged().size(),
        static_cast<unsigned long long>(load.counts().refused),
        static_cast<unsigned long long>(load.counts().unknown));
  }
};

QTEST_GUILESS_MAIN(LinkFaultTest)
#include "link_fault_test.moc"
