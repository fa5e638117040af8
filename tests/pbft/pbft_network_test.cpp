// The PBFT main chain across four real itc-node processes on loopback (f = 1): agreement,
// refusals with reasons, a killed primary, a killed and restarted replica, a frozen
// replica, and the light-client check of every block's quorum certificate.
#include "itc/command_signing.hpp"
#include "itc/ledger/block_commitments.hpp"
#include "lamp_profile.hpp"
#include "local_network.hpp"

using itc::testing::eventually;
using itc::testing::LocalNetwork;
using itc::testing::NetworkOptions;
namespace v1 = itc::v1;

namespace {

// Every validator in `nodes` holds the same block at every height up to `up_to`, each
// block verifies, and its QC verifies against the validator set alone.
void expect_same_chain(LocalNetwork& net, const std::vector<int>& nodes, std::uint64_t up_to) {
  for (std::uint64_t h = 1; h <= up_to; ++h) {
    std::optional<v1::Block> first;
    for (int i : nodes) {
      auto b = net.block(i, h);
      QVERIFY2(b.has_value(), qPrintable(QString("validator %1 has no block %2").arg(i).arg(h)));
      QVERIFY2(itc::verify_block(*b).ok(),
               qPrintable(QString("block %1 of validator %2 does not verify").arg(h).arg(i)));
      auto qc = net.validators().verify_qc(b->header(), b->hash(), b->qc());
      QVERIFY2(qc.ok(), qPrintable(QString("block %1 of validator %2: %3")
                                       .arg(h)
                                       .arg(i)
                                       .arg(QString::fromStdString(qc.message()))));
      if (!first) {
        first = b;
        continue;
      }
      QVERIFY2(b->hash() == first->hash(),
               qPrintable(QString("validators disagree at height %1").arg(h)));
      QCOMPARE(b->header().state_root(), first->header().state_root());
    }
  }
}

std::uint64_t min_height(LocalNetwork& net, const std::vector<int>& nodes) {
  std::uint64_t m = UINT64_MAX;
  for (int i : nodes) m = std::min(m, net.height(i).value_or(0));
  return m;
}

}  // namespace

class PbftNetworkTest : public QObject {
  Q_OBJECT

 private slots:
  void fourValidatorsCommitTheSameBlocksAndRefuseBadTransactions() {
    LocalNetwork net(NetworkOptions{});
    net.start_all();
    // Transfers submitted on every validator, from four accounts.
    std::uint64_t nonce[4] = {0, 0, 0, 0};
    for (int round = 0; round < 5; ++round) {
      for (int from = 0; from < 4; ++from) {
        auto r = net.submit(from, net.transfer(from, (from + 1) % 4, 10 + round, ++nonce[from]));
        QVERIFY2(r.status == 200,
                 qPrintable(QString("transfer refused: %1 %2").arg(r.status).arg(QString(r.body))));
        QVERIFY(r.json["committed"].toBool());
      }
    }
    // Refusals name the reason.
    auto bad_sig = net.transfer(0, 1, 5, ++nonce[0]);
    bad_sig.mutable_transfer()->set_amount(5000);  // altered after signing
    auto r = net.submit(1, bad_sig);
    QCOMPARE(r.status, 422);
    QVERIFY2(r.json["reason"].toString().contains("signature"), qPrintable(QString(r.body)));
    --nonce[0];

    r = net.submit(2, net.transfer(1, 2, 1, nonce[1]));  // nonce already used
    QCOMPARE(r.status, 422);
    QVERIFY2(r.json["reason"].toString().contains("nonce"), qPrintable(QString(r.body)));

    r = net.submit(3, net.transfer(2, 3, 5'000'000, ++nonce[2]));  // more than the balance
    QCOMPARE(r.status, 422);
    QVERIFY2(r.json["reason"].toString().contains("overdraft"), qPrintable(QString(r.body)));
    --nonce[2];

    // The accepted ones reached every validator, in the same blocks.
    const std::vector<int> all = {0, 1, 2, 3};
    std::uint64_t h = 0;
    QVERIFY(eventually(
        [&] {
          h = net.height(0).value_or(0);
          return h > 0 && min_height(net, all) >= h;
        },
        20000));
    expect_same_chain(net, all, h);
    // Balances as every validator's store has them.
    auto acct = net.get(3, "/v1/accounts/" + QString::fromStdString(
                                                 itc::crypto::to_hex(net.account(1).public_key())));
    QCOMPARE(acct.status, 200);
    // Account 1 got 5 transfers from account 0 (10..14 = 60), sent 5 (60) and paid 5 fees.
    QCOMPARE(acct.json["balance"].toString().toULongLong(), 1'000'000ull - 5);
  }

  void killedPrimaryIsReplacedByAViewChangeAndNothingCommittedIsLost() {
    LocalNetwork net(NetworkOptions{});
    net.start_all();
    std::uint64_t nonce = 0;
    for (int i = 0; i < 4; ++i) QCOMPARE(net.submit(1, net.transfer(0, 1, 1, ++nonce)).status, 200);
    const std::uint64_t before = net.height(1).value_or(0);
    QVERIFY(before > 0);
    auto head_before = net.block(1, before);
    QVERIFY(head_before);

    net.kill(0);  // the primary of view 0
    for (int i = 0; i < 4; ++i) {
      auto r = net.submit(2, net.transfer(0, 1, 1, ++nonce));
      QVERIFY2(
          r.status == 200,
          qPrintable(QString("after the primary died: %1 %2").arg(r.status).arg(QString(r.body))));
    }
    QVERIFY(eventually([&] { return net.metric(1, "pbft", "view").value_or(0) >= 1; }, 5000));
    const std::vector<int> alive = {1, 2, 3};
    QVERIFY(eventually([&] { return min_height(net, alive) > before; }, 20000));
    expect_same_chain(net, alive, min_height(net, alive));
    QCOMPARE(net.block(3, before)->hash(), head_before->hash());

    // The old primary comes back, catches up and agrees.
    net.start(0);
    QVERIFY(net.wait_healthy(0));
    const std::uint64_t target = min_height(net, alive);
    QVERIFY2(eventually([&] { return net.height(0).value_or(0) >= target; }, 30000),
             qPrintable(net.log_of(0)));
    expect_same_chain(net, {0, 1, 2, 3}, target);
  }

  void replicaKilledUnderLoadCatchesUpByStateTransfer() {
    NetworkOptions opt;
    opt.lamps = 50;  // readings keep flowing into blocks all the time
    opt.pbft_extra = ", checkpoint_interval: 8";
    LocalNetwork net(opt);
    net.start_all();
    QVERIFY(eventually([&] { return net.height(0).value_or(0) >= 5; }, 20000));
    net.kill(2);  // SIGKILL mid-load
    const std::uint64_t at_kill = net.height(0).value_or(0);
    QVERIFY(eventually([&] { return net.height(0).value_or(0) >= at_kill + 20; }, 30000));
    net.start(2);
    QVERIFY(net.wait_healthy(2));
    const std::uint64_t target = net.height(0).value_or(0);
    QVERIFY2(eventually([&] { return net.height(2).value_or(0) >= target; }, 40000),
             qPrintable(net.log_of(2)));
    QVERIFY(eventually([&] { return net.metric(2, "pbft", "transferred_blocks").value_or(0) > 0; },
                       5000));
    expect_same_chain(net, {0, 1, 2, 3}, target);
    // Readings of every validator's fleet made it into the chain.
    auto b = net.block(1, target);
    QVERIFY(b && b->header().height() == target);
  }

  void deviceOwnershipOnTheChainDecidesWhoMayCommand() {
    NetworkOptions opt;
    opt.lamps = 3;  // lamps owned by account 0 (the fleet's owner key)
    LocalNetwork net(opt);
    net.start_all();
    const std::string device = "v1-lamp-000001";
    auto command = [&](int owner, std::uint64_t nonce) {
      v1::Command cmd;
      cmd.set_device_id(device);
      cmd.set_action(v1::ACTION_DIM);
      cmd.set_dim_level(30);
      cmd.set_nonce(nonce);
      cmd.set_issued_at_us(std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
      itc::sign_command(&cmd, net.account(owner));
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(cmd, &json);
      return net.request(1, "POST", "/v1/commands", QByteArray::fromStdString(json));
    };
    // Not on the chain yet: the device's own registration names account 0.
    QVERIFY(eventually([&] { return command(0, 1).status == 200; }, 10000));

    // Account 0 registers the lamp on the chain, then hands it to account 1.
    v1::Transaction reg;
    reg.set_nonce(1);
    reg.set_fee(1);
    reg.mutable_register_device()->set_device_id(device);
    reg.mutable_register_device()->set_profile("dimmable-lamp");
    reg.mutable_register_device()->set_device_public_key(itc::crypto::sha256("any 32 bytes"));
    QCOMPARE(net.submit(1, net.signed_by(0, reg)).status, 200);
    v1::Transaction give;
    give.set_nonce(2);
    give.set_fee(1);
    give.mutable_transfer_device()->set_device_id(device);
    give.mutable_transfer_device()->set_new_owner(net.account(1).public_key());
    QCOMPARE(net.submit(2, net.signed_by(0, give)).status, 200);
    const QString new_owner = QByteArray::fromStdString(net.account(1).public_key()).toBase64();
    QVERIFY(eventually(
        [&] {
          auto record = net.get(1, QString::fromStdString("/v1/devices/" + device + "/record"));
          return record.status == 200 && record.json["owner"].toString() == new_owner;
        },
        10000));

    // Now the chain decides: the old owner is refused, the new one admitted.
    auto refused = command(0, 50);
    QCOMPARE(refused.status, 403);
    QVERIFY2(refused.json["reason"].toString().contains("owner on the chain"),
             qPrintable(QString(refused.body)));
    auto admitted = command(1, 51);
    QVERIFY2(admitted.status == 200, qPrintable(QString(admitted.body)));
  }

  void frozenReplicaCatchesUpWhenItComesBack() {
    NetworkOptions opt;
    opt.lamps = 20;
    LocalNetwork net(opt);
    net.start_all();
    QVERIFY(eventually([&] { return net.height(0).value_or(0) >= 3; }, 20000));
    net.freeze(3);  // cut off: it neither sends nor receives
    const std::uint64_t at_freeze = net.height(0).value_or(0);
    QVERIFY(eventually([&] { return net.height(0).value_or(0) >= at_freeze + 10; }, 30000));
    net.thaw(3);
    const std::uint64_t target = net.height(0).value_or(0);
    QVERIFY2(eventually([&] { return net.height(3).value_or(0) >= target; }, 30000),
             qPrintable(net.log_of(3)));
    expect_same_chain(net, {0, 1, 2, 3}, target);
    // It did not wander off into a view of its own: it still takes part.
    QVERIFY(eventually(
        [&] {
          return net.metric(3, "pbft", "view").value_or(-1) ==
                 net.metric(0, "pbft", "view").value_or(-2);
        },
        5000));
  }
};

QTEST_GUILESS_MAIN(PbftNetworkTest)
#include "pbft_network_test.moc"
