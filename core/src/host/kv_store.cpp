// KvStore on SQLite. See kv_store.hpp.
#include "host/kv_store.hpp"

#include <sqlite3.h>

#include <filesystem>

#include "sqlite_status.hpp"

namespace itc::host {

namespace {

constexpr int kBusyTimeoutMs = 5000;

// sqlite3_bind_blob with a null pointer binds NULL; an empty view must stay an empty blob.
int bind_bytes(sqlite3_stmt* stmt, int index, std::string_view bytes) {
  static const char kEmpty = 0;
  return sqlite3_bind_blob(stmt, index, bytes.empty() ? &kEmpty : bytes.data(),
                           static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}

// Resets the statement when the call is done, so its bindings and locks are released.
struct StatementReset {
  sqlite3_stmt* stmt;
  ~StatementReset() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

}  // namespace

Status KvStore::sqlite_error(std::string_view what) const {
  Status st = sqlite::sqlite_failure(db_, sqlite3_extended_errcode(db_),
                                     "key-value store " + path_ + ": " + std::string(what));
  // This store's contract (kv_store.hpp) reports a file it cannot open or write as Internal.
  if (st.code() == Status::Code::kFailedPrecondition) return Status::Internal(st.message());
  return st;
}

Result<std::unique_ptr<KvStore>> KvStore::open(const std::string& path) {
  std::unique_ptr<KvStore> store(new KvStore());
  store->path_ = path;
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Status::Internal("key-value store " + path + ": cannot create directory " +
                              parent.string() + ": " + ec.message());
    }
  }
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &store->db_, flags, nullptr) != SQLITE_OK) {
    if (store->db_ == nullptr) return Status::Internal("key-value store " + path + ": no memory");
    return store->sqlite_error("open");
  }
  sqlite3_busy_timeout(store->db_, kBusyTimeoutMs);
  const char* setup =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS kv("
      "  ns TEXT NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL,"
      "  PRIMARY KEY(ns, key)) WITHOUT ROWID;";
  if (sqlite3_exec(store->db_, setup, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return store->sqlite_error("set up");
  }
  struct {
    const char* sql;
    sqlite3_stmt** stmt;
  } statements[] = {
      {"INSERT INTO kv(ns, key, value) VALUES(?1, ?2, ?3) "
       "ON CONFLICT(ns, key) DO UPDATE SET value = excluded.value",
       &store->put_},
      {"SELECT value FROM kv WHERE ns = ?1 AND key = ?2", &store->get_},
      {"DELETE FROM kv WHERE ns = ?1 AND key = ?2", &store->erase_},
  };
  for (auto& s : statements) {
    if (sqlite3_prepare_v3(store->db_, s.sql, -1, SQLITE_PREPARE_PERSISTENT, s.stmt, nullptr) !=
        SQLITE_OK) {
      return store->sqlite_error("prepare");
    }
  }
  return store;
}

KvStore::~KvStore() {
  sqlite3_finalize(put_);
  sqlite3_finalize(get_);
  sqlite3_finalize(erase_);
  sqlite3_close_v2(db_);
}

Status KvStore::put(std::string_view ns, std::string_view key, std::string_view value) {
  std::lock_guard lock(mu_);
  StatementReset reset{put_};
  sqlite3_bind_text(put_, 1, ns.data(), static_cast<int>(ns.size()), SQLITE_TRANSIENT);
  bind_bytes(put_, 2, key);
  bind_bytes(put_, 3, value);
  if (sqlite3_step(put_) != SQLITE_DONE) return sqlite_error("put");
  return Status::Ok();
}

Result<std::optional<std::string>> KvStore::get(std::string_view ns, std::string_view key) {
  std::lock_guard lock(mu_);
  StatementReset reset{get_};
  sqlite3_bind_text(get_, 1, ns.data(), static_cast<int>(ns.size()), SQLITE_TRANSIENT);
  bind_bytes(get_, 2, key);
  const int rc = sqlite3_step(get_);
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return sqlite_error("get");
  const auto* data = static_cast<const char*>(sqlite3_column_blob(get_, 0));
  const int size = sqlite3_column_bytes(get_, 0);
  return std::optional<std::string>(data == nullptr ? std::string() : std::string(data, size));
}

Status KvStore::erase(std::string_view ns, std::string_view key) {
  std::lock_guard lock(mu_);
  StatementReset reset{erase_};
  sqlite3_bind_text(erase_, 1, ns.data(), static_cast<int>(ns.size()), SQLITE_TRANSIENT);
  bind_bytes(erase_, 2, key);
  if (sqlite3_step(erase_) != SQLITE_DONE) return sqlite_error("erase");
  return Status::Ok();
}

}  // namespace itc::host
