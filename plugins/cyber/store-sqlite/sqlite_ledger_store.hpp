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
//   retention(id = 1, pruned_through): blocks 1..pruned_through are pruned (their readings
//            rows deleted, their bodies without transactions); added to a schema-2 file on
//            open. A new file is created with auto_vacuum = INCREMENTAL.
// One append writes its block row, its delta and its readings rows in one BEGIN IMMEDIATE
// transaction. Opening checks that heights run 1..head without gaps, that the head block
// verifies and that its prev_hash is the hash of the block below; Corruption names what
// failed. A file of schema 1 (store-sqlite 1.x) is refused as Incompatible.
// Retention (itc.ledger-retention.v1, store-common/retention_policy.hpp) prunes old blocks
// in batches of one transaction each; the freed pages are reused by later appends, so the
// file stops growing, and free pages beyond a quarter of the file are returned to the file
// system (incremental vacuum; only on files created with it, see README).
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
#include "itc/services/ledger_retention.hpp"
#include "itc/services/ledger_store.hpp"
#include "retention_policy.hpp"
#include "sqlite_db.hpp"
#include "stored_block.hpp"

namespace itc::store_sqlite {

class SqliteLedgerStore final : public LedgerStore, public LedgerRetention {
 public:
  // Opens or creates the ledger at `path`; `clock` stamps committed_at_us, tells blocks'
  // ages, and must outlive the store.
  static Result<std::unique_ptr<SqliteLedgerStore>> open(
      const std::string& path, const Clock& clock,
      store_common::RetentionPolicy retention = store_common::RetentionPolicy());

  using LedgerStore::append;
  Status append(const v1::Block& block, const v1::StateDelta& delta) override;
  Result<std::optional<v1::BlockCommitted>> head() override;
  Result<v1::Block> block(std::uint64_t height) override;
  Result<std::optional<std::string>> state_value(std::string_view key) override;
  Status scan_state(const StateVisitor& visit) override;
  Result<std::vector<v1::Reading>> readings(std::string_view device_id, std::uint64_t from_height,
                                            std::size_t limit) override;

  std::uint64_t pruned_through() override;
  std::string policy() override { return retention_.describe(); }
  Result<v1::BlockCommitted> header(std::uint64_t height) override;
  Result<std::uint64_t> prune(std::uint64_t max_blocks) override;
  // Bytes of readings rows and unpruned block bodies the file holds.
  std::uint64_t kept_bytes();

 private:
  // A block's rows, serialised before the lock is taken.
  using EncodedBlock = store_common::EncodedBlock;

  SqliteLedgerStore(std::unique_ptr<Database> db, const Clock& clock,
                    store_common::RetentionPolicy retention)
      : db_(std::move(db)), clock_(clock), retention_(retention) {}
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
  Status load_retention();
  // Reads pruned_through from the file (another connection may have pruned). Holds mutex_.
  Result<std::uint64_t> stored_pruned_through();
  // One batch in one transaction: up to `max_blocks` blocks due for pruning. Holds mutex_.
  Result<std::uint64_t> prune_batch(std::uint64_t max_blocks);
  Status prune_block(std::uint64_t height, std::uint64_t* freed);
  void return_free_pages();

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
  Statement select_pruned_through_;
  Statement select_header_;
  std::optional<v1::BlockCommitted> head_;  // cached; the table's last row
  store_common::RetentionPolicy retention_;
  std::uint64_t kept_bytes_ = 0;  // guarded by mutex_
};

}  // namespace itc::store_sqlite
