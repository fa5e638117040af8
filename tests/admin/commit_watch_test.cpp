// The "committing" rule behind GET /readyz, on a clock the test controls: work that waits
// longer than the window without a committed block makes the node unready; no work, or
// a commit, makes it ready again.
#include "host/commit_watch.hpp"

#include <QtTest>

using itc::host::CommitWatch;
using namespace std::chrono_literals;

class CommitWatchTest : public QObject {
  Q_OBJECT

  const CommitWatch::Clock::time_point t0_ = CommitWatch::Clock::now();
  const std::chrono::milliseconds window_ = 10s;

 private slots:
  void idleNodeIsNeverStalled() {
    CommitWatch w;
    QVERIFY(w.stall(t0_ + 1h, window_).empty());
    w.block_committed(t0_);
    QVERIFY(w.stall(t0_ + 1h, window_).empty());  // long since the last block, nothing waits
  }

  void readingsWaitingPastTheWindowStall() {
    CommitWatch w;
    auto at = [&](std::chrono::seconds s) { return [t = t0_ + s] { return t; }; };
    w.reading_arrived(at(0s));
    w.reading_arrived(at(9s));  // the first one after the last commit counts
    QVERIFY(w.stall(t0_ + 10s, window_).empty());
    const std::string why = w.stall(t0_ + 12s, window_);
    QVERIFY2(why.find("readings have waited 12.0 s") != std::string::npos, why.c_str());
    QVERIFY2(why.find("no block committed since the node started") != std::string::npos,
             why.c_str());

    w.block_committed(t0_ + 13s);
    QVERIFY(w.stall(t0_ + 30s, window_).empty());
    w.reading_arrived(at(31s));
    const std::string again = w.stall(t0_ + 45s, window_);
    QVERIFY2(again.find("readings have waited 14.0 s") != std::string::npos, again.c_str());
    QVERIFY2(again.find("last block committed 32.0 s ago") != std::string::npos, again.c_str());
  }

  void transactionsWaitUntilTheirVerdict() {
    CommitWatch w;
    const auto a = w.transaction_submitted(t0_);
    const auto b = w.transaction_submitted(t0_ + 5s);
    w.block_committed(t0_ + 6s);  // a commit without them does not settle them
    const std::string why = w.stall(t0_ + 12s, window_);
    QVERIFY2(why.find("1 transaction(s) have waited up to 12.0 s") != std::string::npos,
             why.c_str());
    w.transaction_settled(a);
    QVERIFY(w.stall(t0_ + 12s, window_).empty());
    w.transaction_settled(b);
    w.transaction_settled(b);  // idempotent
    QVERIFY(w.stall(t0_ + 1h, window_).empty());
  }
};

QTEST_GUILESS_MAIN(CommitWatchTest)
#include "commit_watch_test.moc"
