#include "sqlite_snapshot.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <memory>

#include "sqlite_status.hpp"

namespace itc::node {
namespace {

namespace fs = std::filesystem;
using sqlite::sqlite_failure;

constexpr int kBusyTimeoutMs = 10000;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

Result<Db> open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return sqlite_failure(db.get(), rc, "open " + path);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  return db;
}

// The first row's first column of `sql` as text, or "" when there is no row.
Result<std::string> first_text(sqlite3* db, const std::string& path, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  if (rc != SQLITE_OK) return sqlite_failure(db, rc, path);
  rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return std::string();
  if (rc != SQLITE_ROW) return sqlite_failure(db, rc, path);
  const unsigned char* text = sqlite3_column_text(stmt.get(), 0);
  return std::string(text ? reinterpret_cast<const char*>(text) : "");
}

}  // namespace

Status check_database(const std::string& path) {
  if (!fs::is_regular_file(path)) return Status::NotFound(path + ": no such file");
  auto db = open(path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.status();
  auto verdict = first_text(db->get(), path, "PRAGMA quick_check");
  if (!verdict.ok()) return verdict.status();
  if (*verdict != "ok") return Status::Corruption(path + ": damaged: " + *verdict);
  return Status::Ok();
}

Result<SnapshotInfo> copy_database(const std::string& from, const std::string& to) {
  if (!fs::is_regular_file(from)) return Status::NotFound(from + ": no such database");
  std::error_code ec;
  if (fs::exists(to, ec)) return Status::AlreadyExists(to + " exists");
  auto source = open(from, SQLITE_OPEN_READONLY);
  if (!source.ok()) return source.status();
  auto target = open(to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!target.ok()) return target.status();
  SnapshotInfo info;
  Status copied = [&]() -> Status {
    sqlite3_backup* backup = sqlite3_backup_init(target->get(), "main", source->get(), "main");
    if (backup == nullptr) {
      return sqlite_failure(target->get(), sqlite3_errcode(target->get()), "backup " + from);
    }
    // -1: every page in one step, under one read transaction of the source: one commit's view.
    int rc = SQLITE_OK;
    do {
      rc = sqlite3_backup_step(backup, -1);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    info.pages = static_cast<std::uint64_t>(sqlite3_backup_pagecount(backup));
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) return sqlite_failure(target->get(), rc, "backup " + from + " to " + to);
    // The copy keeps the source's WAL mode; a rollback journal makes it one self-contained
    // file (the stores switch their databases back to WAL when they open them).
    auto mode = first_text(target->get(), to, "PRAGMA journal_mode=DELETE");
    return mode.ok() ? Status::Ok() : mode.status();
  }();
  target->reset();
  if (copied.ok()) copied = check_database(to);
  if (!copied.ok()) {
    fs::remove(to, ec);
    return copied;
  }
  info.bytes = fs::file_size(to, ec);
  return info;
}

Result<std::uint64_t> ledger_height(const std::string& path) {
  auto db = open(path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.status();
  auto height = first_text(db->get(), path, "SELECT COALESCE(MAX(height), 0) FROM blocks");
  if (!height.ok()) return height.status();
  return static_cast<std::uint64_t>(std::stoull(height->empty() ? "0" : *height));
}

}  // namespace itc::node
