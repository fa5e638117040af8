// Where a store-postgres instance keeps its ledger: the server (a libpq connection string
// without password), the password read from a file, and the schema. Checking those
// settings and opening the connection; errors name the connection string, never the
// password.
// Thread safety: pure functions; a connection is used by one thread at a time.
#pragma once

#include <memory>
#include <pqxx/connection>
#include <string>
#include <string_view>

#include "itc/status.hpp"

namespace itc::store_postgres {

inline constexpr std::string_view kDefaultSchema = "itc";

struct PgSettings {
  std::string connection;  // as configured, without password: safe to show
  std::string password;    // from password_file, empty if none; never shown
  std::string schema;      // a checked identifier
};

// InvalidArgument starting with the field name ("connection: ...", "schema: ...").
Status check_connection_string(std::string_view connection);
Status check_schema_name(std::string_view schema);

// Reads the first line of `path` as the password. NotFound/InvalidArgument naming
// "password_file" and the path.
Result<std::string> read_password_file(const std::string& path);

// Connects. Unavailable (server unreachable) or PermissionDenied (login refused), naming
// the connection string.
Result<std::unique_ptr<pqxx::connection>> connect(const PgSettings& settings);

// `name` as a quoted SQL identifier ("itc" -> "\"itc\"").
std::string quote_identifier(std::string_view name);

}  // namespace itc::store_postgres
