// A thin RAII layer over the SQLite C API for the ledger store: a connection and
// reusable prepared statements. Errors come back as itc::Status, mapped by sqlite_status
// (plugins/cyber/sqlite-status): a damaged or foreign file (SQLITE_CORRUPT,
// SQLITE_NOTADB) maps to Corruption.
// Thread safety: none; the owner serialises access to a Database and its Statements.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "itc/status.hpp"
#include "sqlite_status.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace itc::store_sqlite {

// Turns an SQLite result code into a Status whose message is "<what>: <sqlite's message>".
using sqlite::sqlite_status;

class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Clears bindings and resets the statement so it can run again.
  void reset();
  Status bind_int64(int index, std::int64_t value);
  // The bytes are copied by SQLite (SQLITE_TRANSIENT) only if `copy`; otherwise they must
  // stay valid until the statement is reset.
  Status bind_blob(int index, std::string_view bytes, bool copy = false);
  // Binds UTF-8 text under the same rule as bind_blob. Text and blobs never compare equal
  // in SQLite, so a TEXT column is always bound with bind_text.
  Status bind_text(int index, std::string_view text, bool copy = false);
  Status bind_null(int index);
  // Advances: true while a row is available, false when done; a failure otherwise.
  Result<bool> step();
  std::int64_t column_int64(int column) const;
  std::string column_blob(int column) const;
  // The column's bytes without a copy, valid until the next step() or reset().
  std::string_view column_view(int column) const;
  bool column_is_null(int column) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // Opens (creating if missing) the database file at `path`.
  static Result<std::unique_ptr<Database>> open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows.
  Status exec(const std::string& sql);
  Result<Statement> prepare(const std::string& sql);
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace itc::store_sqlite
