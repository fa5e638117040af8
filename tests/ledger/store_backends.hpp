// The LedgerStore backends as tests and benchmarks reach them: the plugin library, the
// config bytes for a ledger, and a fresh, empty ledger per call. The PostgreSQL backend
// (which needs libpqxx) is in pg_backend.hpp.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "plugin_harness.hpp"

namespace itc::test {

inline constexpr const char* kSqliteStoreLibrary = "libitc-store-sqlite.so";
inline constexpr const char* kPostgresStoreLibrary = "libitc-store-postgres.so";

// itc.store_sqlite.Config{path}.
inline std::string sqlite_store_config(const std::string& path) { return bytes_field(1, path); }

// itc.store_postgres.Config{connection, password_file, schema}; empty fields are left out.
inline std::string postgres_store_config(const std::string& connection,
                                         const std::string& password_file,
                                         const std::string& schema) {
  std::string config;
  if (!connection.empty()) config += bytes_field(1, connection);
  if (!password_file.empty()) config += bytes_field(2, password_file);
  if (!schema.empty()) config += bytes_field(3, schema);
  return config;
}

// The server the tests may use: ITC_PG_CONNECTION (libpq key=value string, no password)
// and ITC_PG_PASSWORD_FILE (may be unset), as the pg fixture sets them.
struct PostgresServer {
  std::string connection;
  std::string password_file;
};

inline std::optional<PostgresServer> postgres_server_from_env() {
  const char* connection = std::getenv("ITC_PG_CONNECTION");
  if (connection == nullptr || *connection == '\0') return std::nullopt;
  const char* password_file = std::getenv("ITC_PG_PASSWORD_FILE");
  return PostgresServer{connection, password_file ? password_file : ""};
}

// One backend under test: which library, and the config of a ledger no one else uses.
class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  virtual std::string name() const = 0;
  virtual std::string library() const = 0;
  // Config of a new, empty ledger.
  virtual std::string fresh_config() = 0;
  // The field number of the `retention` section in the backend's config message.
  virtual std::uint32_t retention_field() const = 0;
};

// itc.store_*.Retention{keep_everything, keep_hours, budget_mb, interval_ms, batch_blocks};
// zero fields are left out.
struct RetentionSection {
  bool keep_everything = false;
  std::uint32_t keep_hours = 0;
  std::uint64_t budget_mb = 0;
  std::uint32_t interval_ms = 0;
  std::uint32_t batch_blocks = 0;
};
inline std::string retention_config(const StoreBackend& backend, const RetentionSection& r) {
  std::string section;
  if (r.keep_everything) section += varint_field(1, 1);
  if (r.keep_hours) section += varint_field(2, r.keep_hours);
  if (r.budget_mb) section += varint_field(3, r.budget_mb);
  if (r.interval_ms) section += varint_field(4, r.interval_ms);
  if (r.batch_blocks) section += varint_field(5, r.batch_blocks);
  return bytes_field(backend.retention_field(), section);
}

class SqliteBackend final : public StoreBackend {
 public:
  std::string name() const override { return "sqlite"; }
  std::string library() const override { return kSqliteStoreLibrary; }
  std::uint32_t retention_field() const override { return 2; }
  std::string fresh_config() override {
    return sqlite_store_config(dir_.file("ledger-" + std::to_string(++count_) + ".sqlite"));
  }

 private:
  TempDir dir_;
  int count_ = 0;
};

}  // namespace itc::test
