// What waits to be ordered, apart from agreement: the primary's queue batches requests
// (full, or the oldest waited long enough), orders each transaction and each reading at
// most once however often it arrives, leaves the rest of a bundle that does not fit
// queued, and answers a refused transaction; a transaction submitted here is answered
// once and re-sent to a new primary with the recent bundles; and the progress timer runs
// only while something waits and doubles its timeout per view change until progress.
#include "request_pool.hpp"

#include <QtTest>

#include "itc/ledger/transactions.hpp"
#include "local_requests.hpp"
#include "progress_timer.hpp"

namespace v1 = itc::v1;
using itc::Status;
using itc::pbft::LocalRequests;
using itc::pbft::PendingRequest;
using itc::pbft::ProgressTimer;
using itc::pbft::RequestPool;
using namespace std::chrono_literals;

namespace {

v1::Request tx_request(std::uint64_t nonce) {
  v1::Request r;
  r.mutable_tx()->set_nonce(nonce);
  r.mutable_tx()->mutable_transfer()->set_amount(1);
  return r;
}

v1::Request bundle(std::uint32_t origin, int first, int count) {
  v1::Request r;
  r.mutable_readings()->set_origin(origin);
  for (int i = first; i < first + count; ++i) {
    auto* reading = r.mutable_readings()->add_readings();
    reading->set_device_id("lamp-" + std::to_string(i));
    reading->set_metric("power");
    reading->set_frame_digest("frame " + std::to_string(i));
  }
  return r;
}

RequestPool::Limits limits(std::uint32_t batch, std::chrono::nanoseconds delay,
                           std::uint32_t readings) {
  RequestPool::Limits l;
  l.batch_max_requests = batch;
  l.batch_delay = delay;
  l.max_block_readings = readings;
  return l;
}

const RequestPool::Admit kAdmitAll = [](const v1::Transaction&) { return Status::Ok(); };
const RequestPool::Refuse kNoRefusal = [](const PendingRequest&, const Status&) {
  QFAIL("nothing is refused here");
};

}  // namespace

class RequestPoolTest : public QObject {
  Q_OBJECT

 private slots:
  void aBatchIsDueWhenFullOrWhenItsOldestRequestWaitedTheDelay() {
    RequestPool pool(limits(3, 2ms, 1000));
    QVERIFY(pool.empty());
    pool.add(tx_request(1), 0, 10ms);
    pool.add(tx_request(2), 0, 11ms);
    QVERIFY(!pool.batch_due(11ms));
    QVERIFY(pool.batch_due(12ms));  // the first waited 2 ms
    pool.add(tx_request(3), 0, 11ms);
    QVERIFY(pool.batch_due(11ms));  // full
  }

  void aTransactionIsQueuedAndOrderedOnceHoweverOftenItArrives() {
    RequestPool pool(limits(10, 0ms, 1000));
    pool.add(tx_request(1), 0, 0ms);
    pool.add(tx_request(1), 2, 0ms);  // relayed again by another validator
    QCOMPARE(pool.size(), std::size_t{1});
    v1::Block block;
    pool.fill(block, 0ms, kAdmitAll, kNoRefusal);
    QCOMPARE(block.transactions_size(), 1);
    const std::string id = itc::ledger::tx_id(block.transactions(0));
    QVERIFY(pool.ordered(id));
    pool.add(tx_request(1), 3, 0ms);  // in a block already: not queued
    QVERIFY(pool.empty());
    // Executed, it stays known when the tentative chain is dropped.
    pool.note_executed(id);
    pool.forget_accepted();
    QVERIFY(pool.ordered(id));
    pool.add(tx_request(1), 3, 0ms);
    QVERIFY(pool.empty());
  }

  void aDroppedTentativeBlockLetsItsRequestsBeOrderedAgain() {
    RequestPool pool(limits(10, 0ms, 1000));
    pool.add(tx_request(7), 0, 0ms);
    v1::Block block;
    pool.fill(block, 0ms, kAdmitAll, kNoRefusal);
    const std::string id = itc::ledger::tx_id(block.transactions(0));
    pool.forget_accepted();  // a view change dropped the block before it executed
    QVERIFY(!pool.ordered(id));
    pool.add(tx_request(7), 0, 0ms);
    QCOMPARE(pool.size(), std::size_t{1});
  }

  void aRefusedTransactionIsAnsweredAndLeavesTheQueue() {
    RequestPool pool(limits(10, 0ms, 1000));
    pool.add(tx_request(1), 0, 0ms);
    pool.add(tx_request(2), 3, 0ms);
    std::vector<std::pair<std::uint32_t, std::string>> refused;
    v1::Block block;
    pool.fill(
        block, 0ms,
        [](const v1::Transaction& tx) {
          return tx.nonce() == 2 ? Status::InvalidArgument("nonce too low") : Status::Ok();
        },
        [&](const PendingRequest& p, const Status& s) {
          refused.emplace_back(p.origin, s.message());
          QCOMPARE(p.tx_id, itc::ledger::tx_id(p.request.tx()));
        });
    QCOMPARE(block.transactions_size(), 1);
    QCOMPARE(refused.size(), std::size_t{1});
    QCOMPARE(refused[0].first, 3u);
    QVERIFY(refused[0].second.find("nonce too low") != std::string::npos);
    QVERIFY(pool.empty());
  }

  void aBundleThatDoesNotFitLeavesItsRestQueuedAndCopiesAreSkipped() {
    RequestPool pool(limits(10, 2ms, 5));
    pool.add(bundle(1, 0, 4), 1, 0ms);
    pool.add(bundle(1, 2, 4), 1, 0ms);  // readings 2, 3 again, then 4, 5
    v1::Block first;
    pool.fill(first, 5ms, kAdmitAll, kNoRefusal);
    QCOMPARE(first.readings_size(), 5);  // 0..3, then 4: the block is full
    QCOMPARE(first.readings(4).device_id(), std::string("lamp-4"));
    QCOMPARE(pool.size(), std::size_t{1});
    QVERIFY(!pool.batch_due(6ms));  // the rest waits from when the block was cut
    QVERIFY(pool.batch_due(7ms));
    v1::Block second;
    pool.fill(second, 5ms, kAdmitAll, kNoRefusal);
    QCOMPARE(second.readings_size(), 1);
    QCOMPARE(second.readings(0).device_id(), std::string("lamp-5"));
    QVERIFY(pool.empty());
    QVERIFY(pool.ordered(itc::pbft::reading_key(first.readings(0))));
  }

  void theBatchLimitCountsRequests() {
    RequestPool pool(limits(2, 0ms, 1000));
    for (std::uint64_t n = 1; n <= 5; ++n) pool.add(tx_request(n), 0, 0ms);
    v1::Block block;
    pool.fill(block, 0ms, kAdmitAll, kNoRefusal);
    QCOMPARE(block.transactions_size(), 2);
    QCOMPARE(pool.size(), std::size_t{3});
  }

  void aLocalTransactionWaitsOnceAndIsAnsweredOnce() {
    LocalRequests local(2, 8s, 30s);
    v1::Transaction tx = tx_request(1).tx();
    const std::string id = itc::ledger::tx_id(tx);
    QVERIFY(local.submit(tx, id, 0s).has_value());
    QVERIFY(!local.submit(tx, id, 1s).has_value());  // a second submit waits on the first
    QCOMPARE(local.transactions(), std::size_t{1});
    QVERIFY(local.waiting(1s, 2s));
    QVERIFY(local.take(id));  // committed or refused: answered by the caller
    QVERIFY(!local.take(id));
    QVERIFY(!local.waiting(1s, 2s));
    QVERIFY(local.submit(tx, id, 2s).has_value());
    QVERIFY(local.take_expired(31s).empty());
    QCOMPARE(local.take_expired(32s), std::vector<std::string>{id});  // 30 s without commit
    QCOMPARE(local.transactions(), std::size_t{0});
  }

  void aNewPrimaryGetsTheWaitingTransactionsAndTheRecentBundles() {
    LocalRequests local(2, 8s, 30s);
    const auto first = local.bundle({bundle(2, 0, 1).readings().readings(0)}, 0s);
    QCOMPARE(first.readings().origin(), 2u);
    QCOMPARE(first.readings().seq(), std::uint64_t{1});
    QVERIFY(local.waiting(1s, 2s));   // a bundle sent within the window
    QVERIFY(!local.waiting(2s, 2s));  // ... no longer
    const auto second = local.bundle({bundle(2, 1, 1).readings().readings(0)}, 9s);  // drops 1st
    QCOMPARE(second.readings().seq(), std::uint64_t{2});
    v1::Transaction tx = tx_request(5).tx();
    local.submit(tx, itc::ledger::tx_id(tx), 9s);
    QVERIFY(local.watch("relayed", 9s));
    QVERIFY(!local.watch("relayed", 9s));
    auto relay = local.relay_once();
    QVERIFY(relay && relay->requests_size() == 1);
    QVERIFY(!local.relay_once());  // once until progress
    const auto resend = local.for_new_primary();
    QCOMPARE(resend.size(), std::size_t{2});
    QVERIFY(resend[0].has_tx() && resend[1].readings().seq() == 2);
    QVERIFY(local.watch("relayed", 10s));  // watching starts afresh in the new view
    QVERIFY(local.relay_once().has_value());
  }

  void theProgressTimerRunsOnlyWhileSomethingWaits() {
    ProgressTimer timer(100ms);
    QVERIFY(!timer.expired(1s, false));
    QVERIFY(!timer.running());
    QVERIFY(!timer.expired(1s, true));  // starts now
    QVERIFY(!timer.expired(1s + 99ms, true));
    QVERIFY(timer.expired(1s + 100ms, true));
    QVERIFY(!timer.expired(1s + 100ms, false));  // nothing waits: stopped
    timer.start(2s);
    timer.start(2s + 50ms);  // already running: keeps its deadline
    QVERIFY(timer.expired(2s + 100ms, true));
  }

  void eachViewChangeWithoutProgressDoublesTheTimeoutUpTo64Times() {
    ProgressTimer timer(100ms);
    std::vector<std::chrono::nanoseconds> timeouts;
    for (int i = 0; i < 9; ++i) {
      timer.view_change_started(1s);
      timeouts.push_back(timer.timeout());
    }
    QCOMPARE(timeouts[0], std::chrono::nanoseconds(100ms));
    QCOMPARE(timeouts[1], std::chrono::nanoseconds(200ms));
    QCOMPARE(timeouts[6], std::chrono::nanoseconds(6400ms));
    QCOMPARE(timeouts[8], std::chrono::nanoseconds(6400ms));
    QVERIFY(!timer.expired(1s + 6399ms, true));
    QVERIFY(timer.expired(1s + 6400ms, true));
    // State transfer is progress but keeps the backoff; an executed block resets it.
    timer.transferred(10s);
    QCOMPARE(timer.timeout(), std::chrono::nanoseconds(6400ms));
    QCOMPARE(timer.since_progress(10s + 5ms), std::chrono::nanoseconds(5ms));
    timer.executed(11s, false);
    QCOMPARE(timer.timeout(), std::chrono::nanoseconds(100ms));
    QVERIFY(!timer.running());  // nothing waits
    timer.executed(12s, true);
    QVERIFY(timer.expired(12s + 100ms, true));
  }
};

QTEST_GUILESS_MAIN(RequestPoolTest)
#include "request_pool_test.moc"
