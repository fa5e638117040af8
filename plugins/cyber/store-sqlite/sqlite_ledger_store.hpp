// SqliteLedgerStore: itc::LedgerStore on one SQLite file in WAL mode with
// synchronous=FULL, so a block is on disk when append() returns.
//
// Table blocks(height PRIMARY KEY, hash, prev_hash, header BLOB (serialized
// v1::BlockHeader), body BLOB (serialized v1::Block), committed_at_us, oldest_sample_us).
// Opening checks that heights run 1..head without gaps, that the head block verifies and
// that its prev_hash is the hash of the block below; Corruption names what failed.
// Thread safety: all methods may be called from any thread (one mutex around the
// connection and its prepared statements).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "itc/host_env.hpp"
#include "itc/services/ledger_store.hpp"
#include "sqlite_db.hpp"

namespace itc::store_sqlite {

class SqliteLedgerStore final : public LedgerStore {
 public:
  // Opens or creates the ledger at `path`; `clock` stamps committed_at_us and must outlive
  // the store.
  static Result<std::unique_ptr<SqliteLedgerStore>> open(const std::string& path,
                                                         const Clock& clock);

  Status append(const v1::Block& block) override;
  Result<std::optional<v1::BlockCommitted>> head() override;
  Result<v1::Block> block(std::uint64_t height) override;

 private:
  SqliteLedgerStore(std::unique_ptr<Database> db, const Clock& clock)
      : db_(std::move(db)), clock_(clock) {}
  Status create_schema();
  Status prepare_statements();
  Status load_and_check_head();
  Status check_link(const v1::Block& block, std::uint64_t head_height,
                    const std::string& head_hash) const;
  Result<std::optional<std::string>> read_body(std::uint64_t height);

  std::mutex mutex_;
  std::unique_ptr<Database> db_;
  const Clock& clock_;
  Statement begin_;
  Statement commit_;
  Statement rollback_;
  Statement insert_;
  Statement select_head_;
  Statement select_body_;
  std::optional<v1::BlockCommitted> head_;  // cached; the table's last row
};

}  // namespace itc::store_sqlite
