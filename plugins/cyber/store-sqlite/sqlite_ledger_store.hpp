// SqliteLedgerStore: itc::LedgerStore on one SQLite file in WAL mode with
// synchronous=FULL, so a block and its state delta are on disk when append() returns.
//
// Schema 2 (PRAGMA user_version = 2):
//   blocks(height PRIMARY KEY, hash, prev_hash, header BLOB (serialized v1::BlockHeader),
//          body BLOB (serialized v1::Block without its readings), qc BLOB (its
//          QuorumCertificate, NULL if none), committed_at_us, oldest_sample_us)
//   state(key BLOB PRIMARY KEY, value BLOB) WITHOUT ROWID
//   readings(device_id TEXT, height, readings BLOB), UNIQUE INDEX (device_id, height),
//            INDEX (height): the blocks' readings, stored once, one row per device per
//            block (store-common/stored_block.hpp)
// One append writes its block row, its delta and its readings rows in one BEGIN IMMEDIATE
// transaction. Opening checks that heights run 1..head without gaps, that the head block
// verifies and that its prev_hash is the hash of the block below; Corruption names what
// failed. A file of schema 1 (store-sqlite 1.x) is refused as Incompatible.
// Thread safety: all methods may be called from any thread (one mutex around the
// connection and its prepared statements). scan_state() holds that mutex while it calls
// `visit`, so `visit` must not call the store.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "itc/host_env.hpp"
#include "itc/services/ledger_store.hpp"
#include "sqlite_db.hpp"
#include "stored_block.hpp"

namespace itc::store_sqlite {

class SqliteLedgerStore final : public LedgerStore {
 public:
  // Opens or creates the ledger at `path`; `clock` stamps committed_at_us and must outlive
  // the store.
  static Result<std::unique_ptr<SqliteLedgerStore>> open(const std::string& path,
                                                         const Clock& clock);

  using LedgerStore::append;
  Status append(const v1::Block& block, const v1::StateDelta& delta) override;
  Result<std::optional<v1::BlockCommitted>> head() override;
  Result<v1::Block> block(std::uint64_t height) override;
  Result<std::optional<std::string>> state_value(std::string_view key) override;
  Status scan_state(const StateVisitor& visit) override;
  Result<std::vector<v1::Reading>> readings(std::string_view device_id, std::uint64_t from_height,
                                            std::size_t limit) override;

 private:
  // A block's rows, serialised before the lock is taken.
  using EncodedBlock = store_common::EncodedBlock;

  SqliteLedgerStore(std::unique_ptr<Database> db, const Clock& clock)
      : db_(std::move(db)), clock_(clock) {}
  Status check_schema_version();
  Status create_schema();
  Status prepare_statements();
  Status load_and_check_head();
  // The block at `height` put back together (body and readings rows), not yet verified;
  // NotFound if there is none. The caller holds mutex_ (or is open()).
  Result<v1::Block> load_block(std::uint64_t height);
  Status write_block(const EncodedBlock& encoded, const v1::StateDelta& delta,
                     std::int64_t committed_at);
  Status run(Statement& statement);

  std::mutex mutex_;
  std::unique_ptr<Database> db_;
  const Clock& clock_;
  Statement begin_;
  Statement begin_read_;
  Statement commit_;
  Statement rollback_;
  Statement insert_block_;
  Statement upsert_state_;
  Statement delete_state_;
  Statement insert_readings_;
  Statement select_head_;
  Statement select_block_;
  Statement select_block_readings_;
  Statement select_state_;
  Statement scan_state_;
  Statement select_readings_;
  std::optional<v1::BlockCommitted> head_;  // cached; the table's last row
};

}  // namespace itc::store_sqlite
