#include "pg_connection.hpp"

#include <algorithm>
#include <cctype>
#include <pqxx/connection>

#include "itc/file_io.hpp"
#include "pg_errors.hpp"

namespace itc::store_postgres {
namespace {

// A conninfo value in single quotes, with ' and \ escaped as libpq expects.
std::string conninfo_value(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

// Whether the conninfo sets `password` (a key at the start or after white space, any
// case, then optional white space and '=').
bool names_password(std::string_view conninfo) {
  constexpr std::string_view kKey = "password";
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  for (std::size_t i = 0; i + kKey.size() <= conninfo.size(); ++i) {
    if (i > 0 && !space(conninfo[i - 1])) continue;
    bool match = true;
    for (std::size_t k = 0; k < kKey.size() && match; ++k) {
      match = std::tolower(static_cast<unsigned char>(conninfo[i + k])) == kKey[k];
    }
    if (!match) continue;
    std::size_t j = i + kKey.size();
    while (j < conninfo.size() && space(conninfo[j])) ++j;
    if (j < conninfo.size() && conninfo[j] == '=') return true;
  }
  return false;
}

}  // namespace

Status check_connection_string(std::string_view connection) {
  if (connection.empty()) {
    return Status::InvalidArgument(
        "connection: required, a libpq connection string such as "
        "\"host=127.0.0.1 port=5432 dbname=itc user=itc\"");
  }
  if (connection.find("://") != std::string_view::npos) {
    return Status::InvalidArgument(
        "connection: use the key=value form (host=... port=... dbname=... user=...), not a URI");
  }
  if (names_password(connection)) {
    return Status::InvalidArgument(
        "connection: must not hold the password (the connection string appears in messages); "
        "put it in password_file");
  }
  return Status::Ok();
}

Status check_schema_name(std::string_view schema) {
  auto is_first = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  auto is_rest = [&](char c) { return is_first(c) || (c >= '0' && c <= '9'); };
  if (schema.empty() || schema.size() > 63 || !is_first(schema.front()) ||
      !std::all_of(schema.begin(), schema.end(), is_rest)) {
    return Status::InvalidArgument("schema: \"" + std::string(schema) +
                                   "\" is not a plain identifier ([a-z_][a-z0-9_]*, at most 63 "
                                   "characters)");
  }
  if (schema.substr(0, 3) == "pg_") {
    return Status::InvalidArgument("schema: names starting with pg_ are reserved by PostgreSQL");
  }
  return Status::Ok();
}

Result<std::string> read_password_file(const std::string& path) {
  auto content = read_file(path);
  if (!content.ok()) {
    return content.status().WithContext("password_file");
  }
  std::string password = content->substr(0, content->find_first_of("\r\n"));
  if (password.empty()) {
    return Status::InvalidArgument("password_file: " + path + " is empty");
  }
  return password;
}

Result<std::unique_ptr<pqxx::connection>> connect(const PgSettings& settings) {
  // Our defaults first: libpq lets a later keyword override an earlier one, so the
  // operator's own connect_timeout or application_name win.
  std::string conninfo =
      "connect_timeout=10 application_name=itc-store-postgres " + settings.connection;
  if (!settings.password.empty()) conninfo += " password=" + conninfo_value(settings.password);
  try {
    return std::make_unique<pqxx::connection>(conninfo);
  } catch (const std::exception& e) {
    return pg_status(e, "cannot connect to PostgreSQL (" + settings.connection + ")",
                     settings.password);
  }
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace itc::store_postgres
