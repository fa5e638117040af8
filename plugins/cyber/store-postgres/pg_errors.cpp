#include "pg_errors.hpp"

#include <pqxx/except>

namespace itc::store_postgres {
namespace {

// libpq messages end in newlines and may span lines ("FATAL: ...\n\tIs the server ...");
// one line reads better inside our own message.
std::string one_line(std::string_view text, std::string_view secret) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (!secret.empty()) {
    for (auto at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
      out.replace(at, secret.size(), "***");
    }
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

Status pg_status(const std::exception& e, std::string_view what, std::string_view secret) {
  std::string message = std::string(what) + ": " + one_line(e.what(), secret);
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return Status::Unavailable(message +
                               " (the connection broke during COMMIT: whether it committed is "
                               "known only after the head is read again)");
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    const std::string_view text = e.what();
    if (text.find("password authentication failed") != std::string_view::npos ||
        text.find("no password supplied") != std::string_view::npos) {
      return Status::PermissionDenied(message);
    }
    return Status::Unavailable(message);
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e); sql != nullptr) {
    const std::string& state = sql->sqlstate();
    message += " (SQLSTATE " + (state.empty() ? std::string("unknown") : state) + ")";
    if (starts_with(state, "28") || state == "42501") return Status::PermissionDenied(message);
    // A key another writer inserted first (appends take a lock, so only a writer that
    // bypasses it gets here).
    if (state == "23505") return Status::FailedPrecondition(message);
    if (starts_with(state, "08") || starts_with(state, "53") || starts_with(state, "57P")) {
      return Status::Unavailable(message);
    }
    if (starts_with(state, "40")) return Status::Aborted(message);
    return Status::Internal(message);
  }
  return Status::Internal(message);
}

}  // namespace itc::store_postgres
