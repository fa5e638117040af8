// The PostgreSQL LedgerStore backend for tests and benchmarks: each fresh ledger is a new
// schema on the server from ITC_PG_CONNECTION, dropped again with the backend; and a
// direct libpqxx connection for what a test does behind the store's back.
#pragma once

#include <unistd.h>

#include <QtGlobal>
#include <memory>
#include <pqxx/binarystring>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <string>
#include <vector>

#include "itc/file_io.hpp"
#include "store_backends.hpp"

namespace itc::test {

// A direct connection to the test server (with the password from the file). Failures are
// reported with qWarning and a false/-1 result, so a test fails instead of aborting.
class PgTestDb {
 public:
  explicit PgTestDb(const PostgresServer& server) {
    try {
      connection_ = std::make_unique<pqxx::connection>(conninfo(server));
    } catch (const std::exception& e) {
      qWarning("PgTestDb: %s", e.what());
    }
  }

  // Runs `sql`; $1 (if present) is bound to `bytes` as bytea.
  bool exec(const std::string& sql, const std::string& bytes = std::string()) {
    if (!connection_) return false;
    try {
      pqxx::nontransaction tx(*connection_);
      if (sql.find("$1") != std::string::npos) {
        tx.exec_params(sql, pqxx::binarystring(bytes.data(), bytes.size()));
      } else {
        tx.exec(sql);
      }
      return true;
    } catch (const std::exception& e) {
      qWarning("PgTestDb: %s: %s", sql.c_str(), e.what());
      return false;
    }
  }

  // The integer in the first column of the first row of `sql`, -1 on failure.
  std::int64_t number(const std::string& sql) {
    if (!connection_) return -1;
    try {
      pqxx::nontransaction tx(*connection_);
      return tx.exec1(sql)[0].as<std::int64_t>();
    } catch (const std::exception& e) {
      qWarning("PgTestDb: %s: %s", sql.c_str(), e.what());
      return -1;
    }
  }

  static std::string conninfo(const PostgresServer& server) {
    std::string info = server.connection;
    if (!server.password_file.empty()) {
      auto password = read_file(server.password_file);
      if (password.ok()) info += " password=" + password->substr(0, password->find('\n'));
    }
    return info;
  }

 private:
  std::unique_ptr<pqxx::connection> connection_;
};

class PostgresBackend final : public StoreBackend {
 public:
  explicit PostgresBackend(PostgresServer server, std::string prefix = "t")
      : server_(std::move(server)), prefix_(std::move(prefix) + std::to_string(::getpid()) + "_") {}
  ~PostgresBackend() override {
    // (Should this fail, the fixture's server is thrown away anyway.)
    PgTestDb db(server_);
    for (const auto& schema : schemas_) db.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  std::string name() const override { return "postgres"; }
  std::string library() const override { return kPostgresStoreLibrary; }
  std::uint32_t retention_field() const override { return 4; }
  std::string fresh_config() override {
    schemas_.push_back(prefix_ + std::to_string(schemas_.size() + 1));
    return config_for(schemas_.back());
  }

  std::string config_for(const std::string& schema) const {
    return postgres_store_config(server_.connection, server_.password_file, schema);
  }
  const std::string& last_schema() const { return schemas_.back(); }
  const PostgresServer& server() const { return server_; }

 private:
  PostgresServer server_;
  std::string prefix_;
  std::vector<std::string> schemas_;
};

}  // namespace itc::test
