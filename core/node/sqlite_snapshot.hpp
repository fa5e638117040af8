// A consistent copy of an SQLite database, taken while other connections write to it:
// SQLite's online backup API copies every page in one step under a read transaction, so
// the copy is the database as of one commit (WAL mode: writers go on meanwhile).
// Thread safety: the functions are reentrant; the files are the caller's to serialise.
#pragma once

#include <cstdint>
#include <string>

#include "itc/status.hpp"

namespace itc::node {

struct SnapshotInfo {
  std::uint64_t bytes = 0;  // size of the copy
  std::uint64_t pages = 0;
};

// Copies the database at `from` (opened read-only; must exist) to `to` (created; must not
// exist), then checks the copy with PRAGMA quick_check. On any failure `to` is removed and
// the Status names the file and SQLite's reason.
Result<SnapshotInfo> copy_database(const std::string& from, const std::string& to);

// PRAGMA quick_check of the database at `path` (read-only): Corruption naming the file and
// SQLite's first complaint if it is damaged or not a database.
Status check_database(const std::string& path);

// The height of the last block in a store-sqlite ledger at `path` (0 if it has none).
Result<std::uint64_t> ledger_height(const std::string& path);

}  // namespace itc::node
