// What only store-sqlite does, loaded from its library: where its file goes, that damage to
// the file is reported as Corruption, and that a file of the old schema is refused. What
// every LedgerStore does (appends, refusals, state, readings, reopen, kill) is in the
// conformance suite (store_conformance_sqlite_test).
#include <sqlite3.h>

#include <QtTest>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "itc/services/ledger_store.hpp"
#include "ledger_fixtures.hpp"
#include "plugin_harness.hpp"
#include "store_backends.hpp"
#include "stored_block.hpp"

using itc::LedgerStore;
using itc::Status;
using itc::test::append_chain;
using itc::test::kGenesisPrev;
using itc::test::make_block;

namespace {

constexpr const char* kLibrary = itc::test::kSqliteStoreLibrary;

std::string store_config(const std::string& path) { return itc::test::sqlite_store_config(path); }

// Runs one SQL statement against the ledger file behind the store's back.
void tamper(const std::string& path, const std::string& sql,
            const std::string& blob = std::string()) {
  sqlite3* db = nullptr;
  QCOMPARE(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  QCOMPARE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
  if (!blob.empty()) sqlite3_bind_blob(stmt, 1, blob.data(), int(blob.size()), SQLITE_TRANSIENT);
  QCOMPARE(sqlite3_step(stmt), SQLITE_DONE);
  sqlite3_finalize(stmt);
  QCOMPARE(sqlite3_close(db), SQLITE_OK);
}

}  // namespace

class StoreSqliteTest : public QObject {
  Q_OBJECT

 private:
  itc::test::TempDir dir_;
  std::string path_;
  std::unique_ptr<itc::test::PluginHost> host_;

  // Opens (or reopens) the store plugin on path_; returns its service or nullptr.
  LedgerStore* open_store(Status* status = nullptr) {
    host_ = std::make_unique<itc::test::PluginHost>();
    auto plugin = host_->add(kLibrary, store_config(path_));
    if (status) *status = plugin.ok() ? Status::Ok() : plugin.status();
    if (!plugin.ok()) return nullptr;
    if (!host_->start_all().ok()) return nullptr;
    return host_->env().services().find<LedgerStore>();
  }

 private slots:
  void init() {
    static int n = 0;
    path_ = dir_.file("ledger-" + std::to_string(++n) + ".sqlite");
  }
  void cleanup() { host_.reset(); }

  void defaultPathIsInTheDataDir() {
    host_ = std::make_unique<itc::test::PluginHost>();
    QVERIFY(host_->add(kLibrary).ok());
    QVERIFY(std::filesystem::exists(host_->env().data_dir() + "/ledger.sqlite"));
  }

  void modifiedHeadBodyIsCorruption() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 3);
    auto head = store->block(3);
    QVERIFY(head.ok());
    host_.reset();

    itc::v1::Block forged = *head;
    forged.mutable_header()->set_timestamp_us(forged.header().timestamp_us() + 1);
    tamper(path_, "UPDATE blocks SET body = ?1 WHERE height = 3",
           itc::store_common::body_without_readings(forged));

    Status s;
    QVERIFY(open_store(&s) == nullptr);
    QCOMPARE(s.code(), Status::Code::kCorruption);
    QVERIFY2(s.message().find("block 3") != std::string::npos, s.message().c_str());
    QVERIFY2(s.message().find(path_) != std::string::npos, s.message().c_str());
  }

  void modifiedBodyBelowTheHeadIsCorruptionWhenRead() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 3);
    auto middle = store->block(2);
    QVERIFY(middle.ok());
    host_.reset();

    itc::v1::Block forged = *middle;
    forged.mutable_header()->set_producer("someone-else");
    tamper(path_, "UPDATE blocks SET body = ?1 WHERE height = 2",
           itc::store_common::body_without_readings(forged));

    store = open_store();
    QVERIFY(store != nullptr);  // the head and its link are intact
    auto read = store->block(2);
    QCOMPARE(read.status().code(), Status::Code::kCorruption);
    QVERIFY2(read.status().message().find("block 2") != std::string::npos,
             read.status().message().c_str());
  }

  // The readings live once, in the index rows: a reading changed there is caught by the
  // block's Merkle root when the block is read.
  void modifiedReadingBelowTheHeadIsCorruptionWhenRead() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 3);
    itc::v1::Block forged = *store->block(2);
    host_.reset();
    forged.mutable_readings(1)->set_value(-40.0);
    const std::string device = forged.readings(1).device_id();
    for (const auto& row : itc::store_common::group_by_device(forged)) {
      if (row.device_id != device) continue;
      tamper(path_,
             "UPDATE readings SET readings = ?1 WHERE height = 2 AND device_id = '" + device + "'",
             row.packed);
    }
    store = open_store();
    QVERIFY(store != nullptr);
    auto read = store->block(2);
    QCOMPARE(read.status().code(), Status::Code::kCorruption);
    QVERIFY2(read.status().message().find("block 2: merkle_root") != std::string::npos,
             read.status().message().c_str());
  }

  void missingReadingsRowIsCorruptionWhenRead() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 3);
    const std::string device = store->block(2)->readings(0).device_id();
    host_.reset();
    tamper(path_, "DELETE FROM readings WHERE height = 2 AND device_id = '" + device + "'");
    store = open_store();
    QVERIFY(store != nullptr);
    auto read = store->block(2);
    QCOMPARE(read.status().code(), Status::Code::kCorruption);
    QVERIFY2(read.status().message().find("missing from the readings index") != std::string::npos,
             read.status().message().c_str());
  }

  void bodyHoldingReadingsIsCorruptionWhenRead() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 3);
    const itc::v1::Block whole = *store->block(2);
    host_.reset();
    tamper(path_, "UPDATE blocks SET body = ?1 WHERE height = 2", whole.SerializeAsString());
    store = open_store();
    QVERIFY(store != nullptr);
    auto read = store->block(2);
    QCOMPARE(read.status().code(), Status::Code::kCorruption);
    QVERIFY2(read.status().message().find("holds readings") != std::string::npos,
             read.status().message().c_str());
  }

  void brokenLinkBelowTheHeadIsCorruption() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 3);
    host_.reset();
    tamper(path_, "UPDATE blocks SET hash = ?1 WHERE height = 2", std::string(32, '\x0b'));
    Status s;
    QVERIFY(open_store(&s) == nullptr);
    QCOMPARE(s.code(), Status::Code::kCorruption);
    QVERIFY2(s.message().find("prev_hash") != std::string::npos, s.message().c_str());
  }

  void missingBlockIsCorruption() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 3);
    host_.reset();
    tamper(path_, "DELETE FROM blocks WHERE height = 2");
    Status s;
    QVERIFY(open_store(&s) == nullptr);
    QCOMPARE(s.code(), Status::Code::kCorruption);
    QVERIFY2(s.message().find("gaps") != std::string::npos, s.message().c_str());
  }

  void tornFileIsCorruption() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 20, {.readings = 50});
    host_.reset();
    // Keep the first page and a half, as if the disk lost the rest of a write.
    const auto size = std::filesystem::file_size(path_);
    QVERIFY(size > 8192);
    std::filesystem::resize_file(path_, 4096 + 2048);
    Status s;
    QVERIFY(open_store(&s) == nullptr);
    QCOMPARE(s.code(), Status::Code::kCorruption);
  }

  void garbageFileIsCorruption() {
    {
      std::ofstream out(path_, std::ios::binary);
      out << std::string(8192, 'x');
    }
    Status s;
    QVERIFY(open_store(&s) == nullptr);
    QCOMPARE(s.code(), Status::Code::kCorruption);
    QVERIFY2(s.message().find(path_) != std::string::npos, s.message().c_str());
  }
  void fileOfSchemaOneIsIncompatible() {
    // What store-sqlite 1.x left: a blocks table, no user_version.
    tamper(path_,
           "CREATE TABLE blocks(height INTEGER PRIMARY KEY, hash BLOB NOT NULL, prev_hash BLOB "
           "NOT NULL, header BLOB NOT NULL, body BLOB NOT NULL, committed_at_us INTEGER NOT NULL, "
           "oldest_sample_us INTEGER NOT NULL)");
    Status s;
    QVERIFY(open_store(&s) == nullptr);
    QCOMPARE(s.code(), Status::Code::kIncompatible);
    QVERIFY2(s.message().find("schema 1") != std::string::npos, s.message().c_str());
    QVERIFY2(s.message().find(path_) != std::string::npos, s.message().c_str());
  }

  void headQcColumnDisagreeingWithTheBodyIsCorruption() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 2);
    host_.reset();
    tamper(path_, "UPDATE blocks SET qc = ?1 WHERE height = 2", std::string(8, '\x01'));
    Status s;
    QVERIFY(open_store(&s) == nullptr);
    QCOMPARE(s.code(), Status::Code::kCorruption);
    QVERIFY2(s.message().find("qc column") != std::string::npos, s.message().c_str());
  }

  void damagedReadingsRowIsCorruptionWhenRead() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 3);
    const std::string device = store->block(2)->readings(1).device_id();
    host_.reset();
    tamper(path_,
           "UPDATE readings SET readings = ?1 WHERE height = 2 AND device_id = '" + device + "'",
           std::string(5, '\xff'));
    store = open_store();
    QVERIFY(store != nullptr);
    auto read = store->readings(device, 0, 100);
    QCOMPARE(read.status().code(), Status::Code::kCorruption);
    QVERIFY2(
        read.status().message().find("readings of " + device + " in block 2") != std::string::npos,
        read.status().message().c_str());
    QCOMPARE(store->block(2).status().code(), Status::Code::kCorruption);
  }

  void damagedHeadReadingsRowIsCorruptionAtOpen() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 3);
    host_.reset();
    tamper(path_, "UPDATE readings SET readings = ?1 WHERE height = 3", std::string(3, '\x01'));
    Status s;
    QVERIFY(open_store(&s) == nullptr);
    QCOMPARE(s.code(), Status::Code::kCorruption);
    QVERIFY2(s.message().find("in block 3") != std::string::npos, s.message().c_str());
  }

  void ledgerIsInWalMode() {
    QVERIFY(open_store() != nullptr);
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    QCOMPARE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
    QCOMPARE(sqlite3_step(stmt), SQLITE_ROW);
    QCOMPARE(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))),
             std::string("wal"));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }
};

QTEST_GUILESS_MAIN(StoreSqliteTest)
#include "store_sqlite_test.moc"
