// Behaviour of the store-sqlite plugin (itc.ledger-store.v1), loaded from its library:
// what it accepts, what it refuses (and that a refusal writes nothing), what survives a
// reopen, and that damage to the file is reported as Corruption.
#include <sqlite3.h>

#include <QtTest>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "itc/services/ledger_store.hpp"
#include "ledger_fixtures.hpp"
#include "plugin_harness.hpp"

using itc::LedgerStore;
using itc::Status;
using itc::test::kGenesisPrev;
using itc::test::make_block;

namespace {

constexpr const char* kLibrary = "libitc-store-sqlite.so";

// The store's config: path = `path`.
std::string store_config(const std::string& path) { return itc::test::bytes_field(1, path); }

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

// Appends `n` valid blocks of `readings` readings each to an empty store.
void append_chain(LedgerStore& store, int n, int readings = 5) {
  std::string prev = kGenesisPrev;
  for (int h = 1; h <= n; ++h) {
    auto b = make_block(std::uint64_t(h), prev, readings, h * 100);
    Status s = store.append(b);
    QVERIFY2(s.ok(), s.ToString().c_str());
    prev = b.hash();
  }
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

  void emptyLedgerHasNoHead() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    auto head = store->head();
    QVERIFY(head.ok());
    QVERIFY(!head->has_value());
    auto missing = store->block(1);
    QCOMPARE(missing.status().code(), Status::Code::kNotFound);
  }

  void appendedBlocksAreTheHeadAndReadBack() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    auto b1 = make_block(1, kGenesisPrev, 3);
    auto b2 = make_block(2, b1.hash(), 4, 10);
    QVERIFY(store->append(b1).ok());
    QVERIFY(store->append(b2).ok());

    auto head = store->head();
    QVERIFY(head.ok() && head->has_value());
    QCOMPARE((*head)->header().height(), 2u);
    QCOMPARE((*head)->hash(), b2.hash());
    QCOMPARE((*head)->oldest_sample_us(), b2.readings(0).sampled_at_us());
    QVERIFY((*head)->committed_at_us() > 0);

    auto read = store->block(1);
    QVERIFY(read.ok());
    QCOMPARE(read->SerializeAsString(), b1.SerializeAsString());
    QCOMPARE(store->block(3).status().code(), Status::Code::kNotFound);
  }

  void emptyBlockIsAllowed() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    QVERIFY(store->append(make_block(1, kGenesisPrev, 0)).ok());
    auto back = store->block(1);
    QVERIFY(back.ok());
    QCOMPARE(back->readings_size(), 0);
  }

  void wrongHeightIsRefusedAndNothingWritten() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 1);
    const std::string head_hash = (*store->head())->hash();
    Status s = store->append(make_block(3, head_hash, 2));
    QCOMPARE(s.code(), Status::Code::kFailedPrecondition);
    QVERIFY2(s.message().find("block 3") != std::string::npos, s.message().c_str());
    QVERIFY2(s.message().find("height must be 2") != std::string::npos, s.message().c_str());
    QCOMPARE((*store->head())->header().height(), 1u);
    QCOMPARE(store->block(3).status().code(), Status::Code::kNotFound);

    Status genesis_again = store->append(make_block(1, kGenesisPrev, 2));
    QCOMPARE(genesis_again.code(), Status::Code::kFailedPrecondition);
  }

  void wrongPrevHashIsRefusedAndNothingWritten() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 2);
    Status s = store->append(make_block(3, std::string(32, '\x07'), 2));
    QCOMPARE(s.code(), Status::Code::kFailedPrecondition);
    QVERIFY2(s.message().find("block 3: prev_hash 07070707") != std::string::npos,
             s.message().c_str());
    QVERIFY2(s.message().find("head block 2") != std::string::npos, s.message().c_str());
    QCOMPARE((*store->head())->header().height(), 2u);
    QCOMPARE(store->block(3).status().code(), Status::Code::kNotFound);
  }

  void genesisMustLinkToZeroHash() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    Status s = store->append(make_block(1, std::string(32, '\x01'), 1));
    QCOMPARE(s.code(), Status::Code::kFailedPrecondition);
    QVERIFY2(s.message().find("32 zero bytes") != std::string::npos, s.message().c_str());
  }

  void blockFailingVerificationIsCorruptionAndNothingWritten() {
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    append_chain(*store, 1);
    const std::string prev = (*store->head())->hash();

    auto bad_root = make_block(2, prev, 4);
    bad_root.mutable_header()->set_merkle_root(std::string(32, '\x05'));
    bad_root.set_hash(itc::block_hash(bad_root.header()));  // hash fits, root does not
    Status s = store->append(bad_root);
    QCOMPARE(s.code(), Status::Code::kCorruption);
    QVERIFY2(s.message().find("block 2") != std::string::npos, s.message().c_str());
    QVERIFY2(s.message().find("merkle_root") != std::string::npos, s.message().c_str());

    auto bad_hash = make_block(2, prev, 4);
    bad_hash.set_hash(std::string(32, '\x09'));
    QCOMPARE(store->append(bad_hash).code(), Status::Code::kCorruption);

    auto altered = make_block(2, prev, 4);
    altered.mutable_readings(1)->set_value(-1.0);  // a reading changed after sealing
    QCOMPARE(store->append(altered).code(), Status::Code::kCorruption);

    QCOMPARE((*store->head())->header().height(), 1u);
    QCOMPARE(store->block(2).status().code(), Status::Code::kNotFound);
    QVERIFY(store->append(make_block(2, prev, 4)).ok());  // the good one still fits
  }

  void reopenKeepsTheHead() {
    std::string hash;
    {
      LedgerStore* store = open_store();
      QVERIFY(store != nullptr);
      append_chain(*store, 3);
      hash = (*store->head())->hash();
    }
    host_.reset();
    LedgerStore* store = open_store();
    QVERIFY(store != nullptr);
    auto head = store->head();
    QVERIFY(head.ok() && head->has_value());
    QCOMPARE((*head)->header().height(), 3u);
    QCOMPARE((*head)->hash(), hash);
    QVERIFY(store->append(make_block(4, hash, 1)).ok());
  }

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
    forged.mutable_readings(0)->set_value(1e9);
    tamper(path_, "UPDATE blocks SET body = ?1 WHERE height = 3", forged.SerializeAsString());

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
    forged.mutable_readings(2)->set_device_id("lamp-999");
    tamper(path_, "UPDATE blocks SET body = ?1 WHERE height = 2", forged.SerializeAsString());

    store = open_store();
    QVERIFY(store != nullptr);  // the head and its link are intact
    auto read = store->block(2);
    QCOMPARE(read.status().code(), Status::Code::kCorruption);
    QVERIFY2(read.status().message().find("block 2") != std::string::npos,
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
    append_chain(*store, 20, 50);
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
};

QTEST_GUILESS_MAIN(StoreSqliteTest)
#include "store_sqlite_test.moc"
