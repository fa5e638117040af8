// Opening a SqliteLedgerStore: pragmas, schema (version 2), prepared statements and the
// checks of the stored head. Appends and reads are in sqlite_ledger_store.cpp.
#include "ledger_store_rules.hpp"
#include "sqlite_ledger_store.hpp"

namespace itc::store_sqlite {
namespace {

constexpr int kSchemaVersion = 2;

// Runs a one-row, one-column query and returns that integer.
Result<std::int64_t> query_int(Database& db, const std::string& sql) {
  auto statement = db.prepare(sql);
  if (!statement.ok()) return statement.status();
  auto row = statement->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal(sql + ": no row");
  return statement->column_int64(0);
}

}  // namespace

Result<std::unique_ptr<SqliteLedgerStore>> SqliteLedgerStore::open(
    const std::string& path, const Clock& clock, store_common::RetentionPolicy retention) {
  auto db = Database::open(path);
  if (!db.ok()) return db.status();
  std::unique_ptr<SqliteLedgerStore> store(new SqliteLedgerStore(std::move(*db), clock, retention));
  // Any failure below on an existing file means it is not a ledger we can trust.
  // A new file (no table yet) is created able to return pages retention frees; on a file
  // that has tables this only takes effect after a VACUUM (README: "Retention").
  ITC_RETURN_IF_ERROR(store->db_->exec("PRAGMA auto_vacuum=INCREMENTAL").WithContext(path));
  ITC_RETURN_IF_ERROR(store->db_->exec("PRAGMA journal_mode=WAL").WithContext(path));
  ITC_RETURN_IF_ERROR(store->db_->exec("PRAGMA synchronous=FULL").WithContext(path));
  // A second connection (the other version during a hot swap) may hold the write lock
  // briefly; wait for it rather than fail.
  ITC_RETURN_IF_ERROR(store->db_->exec("PRAGMA busy_timeout=5000").WithContext(path));
  // Every block adds an entry next to each of its devices' last one in readings_by_device;
  // a cache that holds those pages (32 MiB) and a WAL checkpointed every ~64 MiB rather
  // than every 4 MiB write them back to the file once per many blocks, not once per block.
  ITC_RETURN_IF_ERROR(store->db_->exec("PRAGMA cache_size=-32768").WithContext(path));
  ITC_RETURN_IF_ERROR(store->db_->exec("PRAGMA wal_autocheckpoint=16384").WithContext(path));
  ITC_RETURN_IF_ERROR(store->check_schema_version().WithContext(path));
  ITC_RETURN_IF_ERROR(store->create_schema().WithContext(path));
  ITC_RETURN_IF_ERROR(store->prepare_statements().WithContext(path));
  ITC_RETURN_IF_ERROR(store->load_and_check_head().WithContext(path));
  ITC_RETURN_IF_ERROR(store->load_retention().WithContext(path));
  return store;
}

Status SqliteLedgerStore::check_schema_version() {
  auto version = query_int(*db_, "PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version == kSchemaVersion) return Status::Ok();
  if (*version > kSchemaVersion) {
    return Status::Incompatible("ledger schema " + std::to_string(*version) +
                                " is newer than this store-sqlite reads (" +
                                std::to_string(kSchemaVersion) + ")");
  }
  auto tables = query_int(*db_,
                          "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                          "('blocks', 'state', 'readings')");
  if (!tables.ok()) return tables.status();
  if (*tables > 0) {
    return Status::Incompatible(
        "ledger schema 1 (store-sqlite 1.x, block hashes itc-block-v1); this store reads "
        "schema " +
        std::to_string(kSchemaVersion) + ": move the file aside and start a new ledger");
  }
  return Status::Ok();  // a new file: create_schema() sets the version
}

Status SqliteLedgerStore::create_schema() {
  // One transaction, so a crash cannot leave a half-created schema with a version on it.
  return db_->exec(
      "BEGIN IMMEDIATE;"
      "CREATE TABLE IF NOT EXISTS blocks("
      " height INTEGER PRIMARY KEY,"
      " hash BLOB NOT NULL,"
      " prev_hash BLOB NOT NULL,"
      " header BLOB NOT NULL,"
      " body BLOB NOT NULL,"
      " qc BLOB,"
      " committed_at_us INTEGER NOT NULL,"
      " oldest_sample_us INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS state("
      " key BLOB PRIMARY KEY,"
      " value BLOB NOT NULL) WITHOUT ROWID;"
      // The block's readings, stored once: one row per device per block (see
      // stored_block.hpp), appended in rowid order. readings_by_device serves
      // readings(device, from_height) as one range scan in chain order, readings_by_height
      // puts a block back together.
      "CREATE TABLE IF NOT EXISTS readings("
      " device_id TEXT NOT NULL,"
      " height INTEGER NOT NULL,"
      " readings BLOB NOT NULL);"
      "CREATE UNIQUE INDEX IF NOT EXISTS readings_by_device ON readings(device_id, height);"
      "CREATE INDEX IF NOT EXISTS readings_by_height ON readings(height);"
      // Retention: blocks 1..pruned_through hold only header, hash and qc.
      "CREATE TABLE IF NOT EXISTS retention("
      " id INTEGER PRIMARY KEY CHECK(id = 1),"
      " pruned_through INTEGER NOT NULL);"
      "INSERT OR IGNORE INTO retention(id, pruned_through) VALUES(1, 0);"
      "PRAGMA user_version = 2;"
      "COMMIT;");
}

Status SqliteLedgerStore::prepare_statements() {
  auto prepare = [this](Statement& into, const std::string& sql) -> Status {
    auto s = db_->prepare(sql);
    if (!s.ok()) return s.status();
    into = std::move(*s);
    return Status::Ok();
  };
  ITC_RETURN_IF_ERROR(prepare(begin_, "BEGIN IMMEDIATE"));
  ITC_RETURN_IF_ERROR(prepare(commit_, "COMMIT"));
  ITC_RETURN_IF_ERROR(prepare(rollback_, "ROLLBACK"));
  ITC_RETURN_IF_ERROR(prepare(insert_block_,
                              "INSERT INTO blocks(height, hash, prev_hash, header, body, qc,"
                              " committed_at_us, oldest_sample_us) VALUES(?,?,?,?,?,?,?,?)"));
  ITC_RETURN_IF_ERROR(
      prepare(upsert_state_, "INSERT OR REPLACE INTO state(key, value) VALUES(?,?)"));
  ITC_RETURN_IF_ERROR(prepare(delete_state_, "DELETE FROM state WHERE key = ?"));
  ITC_RETURN_IF_ERROR(
      prepare(insert_readings_, "INSERT INTO readings(device_id, height, readings) VALUES(?,?,?)"));
  ITC_RETURN_IF_ERROR(
      prepare(select_head_, "SELECT height, hash FROM blocks ORDER BY height DESC LIMIT 1"));
  ITC_RETURN_IF_ERROR(prepare(select_block_, "SELECT body FROM blocks WHERE height = ?"));
  ITC_RETURN_IF_ERROR(
      prepare(select_block_readings_, "SELECT device_id, readings FROM readings WHERE height = ?"));
  ITC_RETURN_IF_ERROR(prepare(select_state_, "SELECT value FROM state WHERE key = ?"));
  ITC_RETURN_IF_ERROR(prepare(scan_state_, "SELECT key, value FROM state ORDER BY key"));
  ITC_RETURN_IF_ERROR(
      prepare(select_pruned_through_, "SELECT pruned_through FROM retention WHERE id = 1"));
  ITC_RETURN_IF_ERROR(prepare(select_header_,
                              "SELECT header, hash, qc, committed_at_us, oldest_sample_us"
                              " FROM blocks WHERE height = ?"));
  ITC_RETURN_IF_ERROR(prepare(select_readings_,
                              "SELECT height, readings FROM readings"
                              " WHERE device_id = ? AND height >= ? ORDER BY height"));
  return Status::Ok();
}

Status SqliteLedgerStore::load_and_check_head() {
  auto summary = db_->prepare("SELECT count(*), min(height), max(height) FROM blocks");
  if (!summary.ok()) return summary.status();
  auto row = summary->step();
  if (!row.ok()) return row.status();
  const std::int64_t count = summary->column_int64(0);
  if (count == 0) {
    head_.reset();
    return Status::Ok();
  }
  const std::int64_t lowest = summary->column_int64(1);
  const std::int64_t highest = summary->column_int64(2);
  if (lowest != 1 || highest != count) {
    return Status::Corruption("ledger has " + std::to_string(count) + " blocks with heights " +
                              std::to_string(lowest) + ".." + std::to_string(highest) +
                              "; expected 1.." + std::to_string(count) + " without gaps");
  }
  const auto height = static_cast<std::uint64_t>(highest);
  auto head = load_block(height);
  if (!head.ok()) return head.status().WithContext("head");
  auto head_row = db_->prepare(
      "SELECT hash, prev_hash, qc, committed_at_us, oldest_sample_us FROM blocks"
      " WHERE height = ?");
  if (!head_row.ok()) return head_row.status();
  ITC_RETURN_IF_ERROR(head_row->bind_int64(1, highest));
  row = head_row->step();
  if (!row.ok()) return row.status();
  std::string below_hash;
  if (height > 1) {
    auto below = db_->prepare("SELECT hash FROM blocks WHERE height = ?");
    if (!below.ok()) return below.status();
    ITC_RETURN_IF_ERROR(below->bind_int64(1, highest - 1));
    auto found = below->step();
    if (!found.ok()) return found.status();
    below_hash = below->column_blob(0);
  }
  ITC_RETURN_IF_ERROR(store_common::check_stored_head(*head, height, head_row->column_view(0),
                                                      head_row->column_view(1), below_hash));
  const bool qc_agrees =
      head_row->column_is_null(2)
          ? !head->has_qc()
          : head->has_qc() && head_row->column_view(2) == head->qc().SerializeAsString();
  if (!qc_agrees) {
    return Status::Corruption("head " + store_common::block_label(height) +
                              ": qc column disagrees with the stored block");
  }
  head_ =
      store_common::committed_summary(*head, head_row->column_int64(3), head_row->column_int64(4));
  return Status::Ok();
}

Status SqliteLedgerStore::load_retention() {
  // The kept bytes are counted once here (a scan of the readings' lengths, not their
  // contents), then kept up to date by append() and prune().
  auto kept = query_int(*db_,
                        "SELECT (SELECT coalesce(sum(length(readings)), 0) FROM readings) +"
                        " (SELECT coalesce(sum(length(body)), 0) FROM blocks"
                        "  WHERE height > (SELECT pruned_through FROM retention WHERE id = 1))");
  if (!kept.ok()) return kept.status().WithContext("counting the kept bytes");
  kept_bytes_ = static_cast<std::uint64_t>(*kept);
  return Status::Ok();
}

}  // namespace itc::store_sqlite
