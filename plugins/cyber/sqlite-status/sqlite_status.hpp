// SQLite result codes as itc::Status, for every SQLite user in the tree (store-sqlite and
// the host's key-value store): busy or locked → Unavailable; a damaged or foreign file
// (SQLITE_CORRUPT, SQLITE_NOTADB) → Corruption; a file that cannot be opened or written
// (SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY) → FailedPrecondition; anything else →
// Internal. Extended codes map by their primary code. The message is
// "<what>: <SQLite's message>": sqlite3_errmsg(db), or sqlite3_errstr(rc) if db is null.
// Thread safety: as safe as sqlite3_errmsg on `db` (the caller serialises use of `db`).
#pragma once

#include <string_view>

#include "itc/status.hpp"

struct sqlite3;

namespace itc::sqlite {

// The Status of a call that returned `rc`: OK for SQLITE_OK, SQLITE_ROW and SQLITE_DONE.
Status sqlite_status(sqlite3* db, int rc, std::string_view what);

// The Status of a call that failed with `rc` (never OK, even if `rc` is a success code, as
// sqlite3_errcode can report after a failure it did not record).
Status sqlite_failure(sqlite3* db, int rc, std::string_view what);

}  // namespace itc::sqlite
