// The LedgerStore conformance suite: the behaviour every backend must show, written once
// and run against each store plugin loaded from its library (store_conformance_sqlite_test,
// store_conformance_postgres_test). A new backend passes this suite before it ships.
#pragma once

#include <QObject>
#include <memory>
#include <string>

#include "itc/services/ledger_retention.hpp"
#include "itc/services/ledger_store.hpp"
#include "plugin_harness.hpp"
#include "store_backends.hpp"

namespace itc::test {

class StoreConformance : public QObject {
  Q_OBJECT

 public:
  explicit StoreConformance(StoreBackend& backend) : backend_(backend) {}

 private slots:
  void init();
  void cleanup();

  void emptyLedgerHasNothing();
  void blocksRoundTripWithTransactionsAndQc();
  void emptyBlockIsAllowed();
  void wrongHeightIsRefusedAndNothingWritten();
  void wrongPrevHashIsRefusedAndNothingWritten();
  void firstBlockMustLinkToZeroHash();
  void blockFailingVerificationIsCorruptionAndNothingWritten();
  void invalidDeltaIsRefusedAndNothingWritten();
  void stateDeltaIsAppliedWithItsBlock();
  void scanIsInBytewiseKeyOrder();
  void scanStopsAtTheVisitorsError();
  void readingsByDeviceFromHeightWithLimit();
  void reopenGivesTheSameHeadStateAndReadings();
  void secondWriterOnTheSameLedgerCannotFork();
  void killedWriterLosesNothingAcknowledged();
  // Retention (itc.ledger-retention.v1), store_retention_conformance.cpp.
  void retentionPrunesOldBlocksAndKeepsHeadersQcsAndState();
  void retentionBudgetPrunesOldestFirstDownToTheBudget();
  void retentionOffOrYoungBlocksPruneNothing();
  void badRetentionConfigIsRefusedNamingTheField();

 private:
  // Opens (or reopens) the store plugin on this test's ledger; nullptr (and a warning)
  // on failure.
  LedgerStore* open();
  void close() { host_.reset(); }
  // Opens the store with `retention` added to this test's config and starts it (its
  // pruning timer runs on the FakeEnv's clock).
  LedgerStore* open_started(const RetentionSection& retention);
  LedgerRetention* retention();

  StoreBackend& backend_;
  std::string config_;
  std::unique_ptr<PluginHost> host_;
};

}  // namespace itc::test
