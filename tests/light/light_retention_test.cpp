// Retention on a real 4-validator network (LocalNetwork: itc-node processes, pbft,
// store-sqlite with a 1 MiB retention budget, simulated lamps): what a light client relies
// on once old blocks are pruned. A pruned block's reading proof answers 410 "pruned at
// height N (retention keeps ...)", its header proof still verifies against the genesis
// validators, and a retained block's reading proof verifies with libitc-light.
#include <QtTest>
#include <memory>
#include <optional>
#include <sstream>

#include "itc/ledger/block_commitments.hpp"
#include "light_chain.hpp"
#include "local_network.hpp"
#include "proof_bytes.hpp"

using namespace itc;
using itc::test::bytes_of;
using itc::testing::eventually;
using itc::testing::HttpReply;
using itc::testing::LocalNetwork;
using itc::testing::NetworkOptions;

class LightRetentionTest : public QObject {
  Q_OBJECT

  std::unique_ptr<LocalNetwork> net_;

  double pruned_through(int i) {
    return net_->metric(i, "store-sqlite", "ledger_pruned_through").value_or(0);
  }

 private slots:
  void initTestCase() {
    NetworkOptions opt;
    opt.lamps = 50;  // per validator, 6 metrics every 500 ms: ~2,400 readings/s in all
    opt.store_config = "retention: {budget_mb: 1, interval_ms: 200, batch_blocks: 8}";
    net_ = std::make_unique<LocalNetwork>(opt);
    net_->start_all();
    for (int i = 0; i < 4; ++i) {
      QVERIFY2(eventually([&] { return pruned_through(i) >= 3; }, 120000),
               qPrintable(QString("validator %1 pruned nothing").arg(i)));
    }
  }

  void aPrunedBlocksReadingProofIsGoneWithTheReason() {
    const HttpReply proof = net_->get(0, "/v1/proofs/reading/2/0");
    QCOMPARE(proof.status, 410);
    QCOMPARE(proof.json["code"].toString(), QString("Gone"));
    const QString why = proof.json["error"].toString();
    QVERIFY2(why.contains("block 2: pruned at height 2 (blocks 1..") &&
                 why.contains("retention keeps readings and transactions") &&
                 why.contains("headers, QCs and state of every block"),
             qPrintable(why));
    QCOMPARE(net_->get(1, "/v1/ledger/blocks/2").status, 410);
  }

  void aPrunedBlocksHeaderStillVerifies() {
    const HttpReply header = net_->get(2, "/v1/proofs/header?height=2");
    QCOMPARE(header.status, 200);
    light::State s{};
    QVERIFY(light::trust_genesis(net_->genesis(), &s).ok());
    const std::string bytes = header.body.toStdString();
    QCOMPARE(light::verdict_name(light::apply_header(&s, bytes_of(bytes), bytes.size()).verdict),
             "ok");
    QCOMPARE(s.header.height, std::uint64_t{2});
  }

  void aRetainedBlocksReadingProofVerifies() {
    light::State s{};
    QVERIFY(light::trust_genesis(net_->genesis(), &s).ok());
    // Retention keeps about a second of this load: a block may be pruned between two
    // requests, so look again until one answers whole.
    std::optional<v1::Block> block;
    std::string proof;
    QVERIFY(eventually(
        [&] {
          const auto top = net_->height(0).value_or(0);
          for (std::uint64_t h = top; h > 0 && h + 3 > top; --h) {
            block = net_->block(0, h);
            if (!block || block->readings_size() == 0) continue;
            const HttpReply r = net_->get(0, QString("/v1/proofs/reading/%1/0").arg(h));
            if (r.status != 200) continue;
            proof = r.body.toStdString();
            return true;
          }
          return false;
        },
        60000));
    light::Inclusion inc{};
    const auto outcome = light::verify_reading(&s, bytes_of(proof), proof.size(), &inc);
    QCOMPARE(light::verdict_name(outcome.verdict), "ok");
    QCOMPARE(inc.height, block->header().height());
    QCOMPARE(std::string(reinterpret_cast<const char*>(inc.leaf.data), inc.leaf.size),
             reading_leaf_bytes(block->readings(0)));
  }

  void cleanupTestCase() { net_.reset(); }
};

QTEST_GUILESS_MAIN(LightRetentionTest)
#include "light_retention_test.moc"
