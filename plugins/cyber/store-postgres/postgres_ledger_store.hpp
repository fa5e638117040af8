// PostgresLedgerStore: itc::LedgerStore in one schema of a PostgreSQL database, through
// libpqxx. When append() returns OK the server has committed the block and its state delta
// (synchronous_commit as the server is configured; the default makes it durable).
//
// Schema 2 in <schema> (meta(key, value) holds schema_version = 2):
//   blocks(height bigint PRIMARY KEY, hash, prev_hash, header (serialized
//          v1::BlockHeader), body (serialized v1::Block without its readings), qc (its
//          QuorumCertificate, NULL if none), committed_at_us, oldest_sample_us)  -- bytea
//   state(key bytea PRIMARY KEY, value bytea)
//   readings(device_id text COLLATE "C", height, readings bytea,
//            PRIMARY KEY(device_id, height)), INDEX (height): the blocks' readings, stored
//            once, one row per device per block (store-common/stored_block.hpp)
//   meta 'pruned_through': blocks 1..pruned_through are pruned (retention): their readings
//            rows deleted, their bodies without transactions. Absent means 0.
// A connection the server dropped (restart, failover) is replaced on the next call, and
// a call that found it broken is retried once on the new one. One append is one
// transaction: LOCK blocks (so concurrent appenders, e.g. two plugin
// versions during a hot swap, take turns and each checks the link against what is
// stored), the block row, the delta, the readings (COPY), COMMIT. Opening checks that
// heights run 1..head without gaps, that the head verifies and links to the block below.
// Retention (itc.ledger-retention.v1, store-common/retention_policy.hpp) prunes old blocks
// in batches of one transaction each (DELETE and UPDATE); PostgreSQL's autovacuum makes the
// space reusable, so the tables stop growing (they shrink only with VACUUM FULL).
// Thread safety: all methods may be called from any thread (one mutex around the
// connection). scan_state() holds that mutex while it calls `visit`, so `visit` must not
// call the store.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "itc/host_env.hpp"
#include "itc/services/ledger_retention.hpp"
#include "itc/services/ledger_store.hpp"
#include "pg_connection.hpp"
#include "retention_policy.hpp"

namespace itc::store_postgres {

class PostgresLedgerStore final : public LedgerStore, public LedgerRetention {
 public:
  // Connects, creates the schema and its tables if missing, and checks the stored head.
  // `clock` stamps committed_at_us, tells blocks' ages, and must outlive the store.
  static Result<std::unique_ptr<PostgresLedgerStore>> open(
      PgSettings settings, const Clock& clock,
      store_common::RetentionPolicy retention = store_common::RetentionPolicy());
  ~PostgresLedgerStore() override;

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
  // Bytes of readings rows and unpruned block bodies the schema holds.
  std::uint64_t kept_bytes();

  // "<schema> at <connection>", for messages.
  std::string where() const;

 private:
  struct EncodedBlock;

  PostgresLedgerStore(PgSettings settings, std::unique_ptr<pqxx::connection> connection,
                      const Clock& clock, store_common::RetentionPolicy retention);
  Status create_schema();
  void prepare_statements();
  // Reconnects (and prepares the statements again) if the connection is broken.
  Status ensure_connected();
  // Runs `fn` (returning Status or Result<T>) on a live connection, mapping what it throws
  // with pg_status(). A connection found broken before COMMIT is replaced and `fn` run once
  // more: nothing of the first attempt was committed.
  template <typename Fn>
  auto with_connection(std::string_view what, Fn&& fn) -> decltype(fn());
  Status load_and_check_head();
  // The block at `height` put back together (body and readings rows), not yet verified;
  // NotFound if there is none. Throws what libpqxx throws.
  Result<v1::Block> load_block(pqxx::transaction_base& tx, std::uint64_t height);
  Status write_block(const EncodedBlock& encoded, const v1::StateDelta& delta,
                     std::int64_t committed_at);
  std::string table(std::string_view name) const;
  Status load_retention();
  // Blocks 1..N pruned, as stored. Throws what libpqxx throws.
  std::uint64_t stored_pruned_through(pqxx::transaction_base& tx);
  // One batch in one transaction. The caller holds mutex_.
  Result<std::uint64_t> prune_batch(std::uint64_t max_blocks);

  std::mutex mutex_;
  PgSettings settings_;
  std::unique_ptr<pqxx::connection> connection_;
  const Clock& clock_;
  std::optional<v1::BlockCommitted> head_;  // cached; the table's last row
  // Set when an append failed in a way that leaves its outcome unknown (the connection
  // broke during COMMIT): head() re-reads the head from the server before answering.
  bool head_uncertain_ = false;
  store_common::RetentionPolicy retention_;
  std::uint64_t kept_bytes_ = 0;  // guarded by mutex_
};

}  // namespace itc::store_postgres
