#include "sqlite_db.hpp"

#include <sqlite3.h>

#include <utility>

namespace itc::store_sqlite {

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Status Statement::bind_int64(int index, std::int64_t value) {
  return sqlite_status(db_, sqlite3_bind_int64(stmt_, index, value), "bind");
}

Status Statement::bind_blob(int index, std::string_view bytes, bool copy) {
  // An empty blob must still be a blob, not NULL: pass a non-null pointer.
  static const char kEmpty = 0;
  const void* data = bytes.empty() ? &kEmpty : bytes.data();
  return sqlite_status(db_,
                       sqlite3_bind_blob64(stmt_, index, data, bytes.size(),
                                           copy ? SQLITE_TRANSIENT : SQLITE_STATIC),
                       "bind");
}

Status Statement::bind_text(int index, std::string_view text, bool copy) {
  static const char kEmpty = 0;
  const char* data = text.empty() ? &kEmpty : text.data();
  return sqlite_status(db_,
                       sqlite3_bind_text64(stmt_, index, data, text.size(),
                                           copy ? SQLITE_TRANSIENT : SQLITE_STATIC, SQLITE_UTF8),
                       "bind");
}

Status Statement::bind_null(int index) {
  return sqlite_status(db_, sqlite3_bind_null(stmt_, index), "bind");
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_status(db_, rc, "step");
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::column_blob(int column) const { return std::string(column_view(column)); }

std::string_view Statement::column_view(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return {};
  return std::string_view(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = sqlite_status(db, rc, "cannot open " + path);
    sqlite3_close(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Database>(new Database(db, path));
}

Database::~Database() {
  if (db_ != nullptr) sqlite3_close(db_);
}

Status Database::exec(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string what = sql.substr(0, sql.find_first_of("(;"));
  Status s = sqlite_status(db_, rc, what);
  sqlite3_free(error);
  return s;
}

Result<Statement> Database::prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_status(db_, rc, "prepare " + sql);
  return Statement(db_, stmt);
}

}  // namespace itc::store_sqlite
