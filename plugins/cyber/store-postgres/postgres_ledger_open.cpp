// Opening a PostgresLedgerStore: connection, schema (version 2), prepared statements and
// the checks of the stored head. Appends and reads are in postgres_ledger_store.cpp.
#include <pqxx/binarystring>
#include <pqxx/connection>
#include <pqxx/transaction>

#include "ledger_store_rules.hpp"
#include "pg_errors.hpp"
#include "postgres_ledger_store.hpp"

namespace itc::store_postgres {
namespace {

constexpr int kSchemaVersion = 2;

std::string bytes_of(const pqxx::field& field) {
  if (field.is_null()) return {};
  return pqxx::binarystring(field).str();
}

}  // namespace

PostgresLedgerStore::PostgresLedgerStore(PgSettings settings,
                                         std::unique_ptr<pqxx::connection> connection,
                                         const Clock& clock,
                                         store_common::RetentionPolicy retention)
    : settings_(std::move(settings)),
      connection_(std::move(connection)),
      clock_(clock),
      retention_(retention) {}

PostgresLedgerStore::~PostgresLedgerStore() = default;

std::string PostgresLedgerStore::where() const {
  return "schema " + settings_.schema + " at " + settings_.connection;
}

std::string PostgresLedgerStore::table(std::string_view name) const {
  return quote_identifier(settings_.schema) + "." + std::string(name);
}

Result<std::unique_ptr<PostgresLedgerStore>> PostgresLedgerStore::open(
    PgSettings settings, const Clock& clock, store_common::RetentionPolicy retention) {
  ITC_RETURN_IF_ERROR(check_connection_string(settings.connection));
  ITC_RETURN_IF_ERROR(check_schema_name(settings.schema));
  auto connection = connect(settings);
  if (!connection.ok()) return connection.status();
  std::unique_ptr<PostgresLedgerStore> store(
      new PostgresLedgerStore(std::move(settings), std::move(*connection), clock, retention));
  const std::string where = store->where();
  ITC_RETURN_IF_ERROR(store->create_schema().WithContext(where));
  ITC_RETURN_IF_ERROR(pg_call("preparing statements", [&] {
                        store->prepare_statements();
                        return Status::Ok();
                      }).WithContext(where));
  ITC_RETURN_IF_ERROR(store->load_and_check_head().WithContext(where));
  ITC_RETURN_IF_ERROR(store->load_retention().WithContext(where));
  return store;
}

Status PostgresLedgerStore::create_schema() {
  return pg_call("creating the schema", [&]() -> Status {
    pqxx::work tx(*connection_);
    // Two nodes (or two plugin versions) opening one new schema at once would race on
    // CREATE ... IF NOT EXISTS; a lock on the schema's name makes them take turns.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))",
                   "itc-store-postgres:" + settings_.schema);
    const auto found =
        tx.exec_params1("SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL",
                        table("meta"), table("blocks"));
    const bool has_meta = found[0].as<bool>();
    const bool has_blocks = found[1].as<bool>();
    if (has_meta) {
      const auto version =
          tx.exec("SELECT value FROM " + table("meta") + " WHERE key = 'schema_version'");
      const std::string v = version.empty() ? "(none)" : version[0][0].c_str();
      if (v != std::to_string(kSchemaVersion)) {
        return Status::Incompatible("ledger schema version " + v + "; this store reads " +
                                    std::to_string(kSchemaVersion));
      }
      return Status::Ok();
    }
    if (has_blocks) {
      return Status::Incompatible(
          "a blocks table without store-postgres metadata: not a ledger this store wrote; use "
          "another schema");
    }
    const std::string schema = quote_identifier(settings_.schema);
    tx.exec("CREATE SCHEMA IF NOT EXISTS " + schema);
    tx.exec("CREATE TABLE " + table("meta") + "(key text PRIMARY KEY, value text NOT NULL)");
    tx.exec("CREATE TABLE " + table("blocks") +
            "(height bigint PRIMARY KEY,"
            " hash bytea NOT NULL,"
            " prev_hash bytea NOT NULL,"
            " header bytea NOT NULL,"
            " body bytea NOT NULL,"
            " qc bytea,"
            " committed_at_us bigint NOT NULL,"
            " oldest_sample_us bigint NOT NULL)");
    // Serialized protobuf barely compresses; storing bodies out of line uncompressed saves
    // the compression attempt on every append.
    tx.exec("ALTER TABLE " + table("blocks") + " ALTER COLUMN body SET STORAGE EXTERNAL");
    tx.exec("CREATE TABLE " + table("state") + "(key bytea PRIMARY KEY, value bytea NOT NULL)");
    // The blocks' readings, stored once: one row per device per block (see
    // stored_block.hpp). The key serves readings(device, from_height) as one index range
    // scan in chain order; the height index puts a block back together.
    tx.exec("CREATE TABLE " + table("readings") +
            "(device_id text COLLATE \"C\" NOT NULL,"
            " height bigint NOT NULL,"
            " readings bytea NOT NULL,"
            " PRIMARY KEY(device_id, height))");
    tx.exec("CREATE INDEX ON " + table("readings") + "(height)");
    tx.exec("INSERT INTO " + table("meta") + " VALUES('schema_version', '" +
            std::to_string(kSchemaVersion) + "')");
    tx.commit();
    return Status::Ok();
  });
}

void PostgresLedgerStore::prepare_statements() {
  auto& c = *connection_;
  c.prepare("itc_insert_block", "INSERT INTO " + table("blocks") +
                                    "(height, hash, prev_hash, header, body, qc, committed_at_us,"
                                    " oldest_sample_us) VALUES($1,$2,$3,$4,$5,$6,$7,$8)");
  c.prepare("itc_head",
            "SELECT height, hash FROM " + table("blocks") + " ORDER BY height DESC LIMIT 1");
  c.prepare("itc_block", "SELECT body FROM " + table("blocks") + " WHERE height = $1");
  c.prepare("itc_block_readings",
            "SELECT device_id, readings FROM " + table("readings") + " WHERE height = $1");
  c.prepare("itc_upsert_state", "INSERT INTO " + table("state") +
                                    "(key, value) SELECT * FROM unnest($1::bytea[], $2::bytea[])"
                                    " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value");
  c.prepare("itc_delete_state", "DELETE FROM " + table("state") + " WHERE key = ANY($1::bytea[])");
  c.prepare("itc_state_value", "SELECT value FROM " + table("state") + " WHERE key = $1");
  c.prepare("itc_scan_state",
            "SELECT key, value FROM " + table("state") + " WHERE key > $1 ORDER BY key LIMIT $2");
  // Every row holds at least one reading: `limit` rows are always enough.
  c.prepare("itc_readings", "SELECT height, readings FROM " + table("readings") +
                                " WHERE device_id = $1 AND height >= $2 ORDER BY height LIMIT $3");
}

Status PostgresLedgerStore::load_and_check_head() {
  return pg_call("reading the head", [&]() -> Status {
    pqxx::work tx(*connection_);
    // SHARE conflicts with the appenders' SHARE ROW EXCLUSIVE: this waits for an append in
    // flight to end. A writer killed after sending COMMIT (a crashed node, the old version
    // of a hot swap) has a server backend that may still commit that block; the head read
    // here then includes it, instead of that block landing under a head already loaded.
    tx.exec("LOCK TABLE " + table("blocks") + " IN SHARE MODE");
    const auto summary =
        tx.exec1("SELECT count(*), coalesce(min(height), 0), coalesce(max(height), 0) FROM " +
                 table("blocks"));
    const auto count = summary[0].as<std::int64_t>();
    head_uncertain_ = false;
    if (count == 0) {
      head_.reset();
      return Status::Ok();
    }
    const auto lowest = summary[1].as<std::int64_t>();
    const auto highest = summary[2].as<std::int64_t>();
    if (lowest != 1 || highest != count) {
      return Status::Corruption("ledger has " + std::to_string(count) + " blocks with heights " +
                                std::to_string(lowest) + ".." + std::to_string(highest) +
                                "; expected 1.." + std::to_string(count) + " without gaps");
    }
    const auto height = static_cast<std::uint64_t>(highest);
    auto head = load_block(tx, height);
    if (!head.ok()) return head.status().WithContext("head");
    const auto row =
        tx.exec_params1("SELECT hash, prev_hash, qc, committed_at_us, oldest_sample_us FROM " +
                            table("blocks") + " WHERE height = $1",
                        highest);
    std::string below_hash;
    if (height > 1) {
      below_hash = bytes_of(tx.exec_params1(
          "SELECT hash FROM " + table("blocks") + " WHERE height = $1", highest - 1)[0]);
    }
    ITC_RETURN_IF_ERROR(store_common::check_stored_head(*head, height, bytes_of(row[0]),
                                                        bytes_of(row[1]), below_hash));
    const bool qc_agrees =
        row[2].is_null() ? !head->has_qc()
                         : head->has_qc() && bytes_of(row[2]) == head->qc().SerializeAsString();
    if (!qc_agrees) {
      return Status::Corruption("head " + store_common::block_label(height) +
                                ": qc column disagrees with the stored block");
    }
    head_ = store_common::committed_summary(*head, row[3].as<std::int64_t>(),
                                            row[4].as<std::int64_t>());
    return Status::Ok();
  });
}

Status PostgresLedgerStore::load_retention() {
  return pg_call("counting the kept bytes", [&]() -> Status {
    pqxx::work tx(*connection_);
    const std::uint64_t pruned = stored_pruned_through(tx);
    // A scan of the readings' lengths, once; append() and prune() keep it up to date.
    kept_bytes_ = tx.exec_params1("SELECT (SELECT coalesce(sum(octet_length(readings)), 0) FROM " +
                                      table("readings") +
                                      ")::bigint + (SELECT coalesce(sum(octet_length(body)), 0) "
                                      "FROM " +
                                      table("blocks") + " WHERE height > $1)::bigint",
                                  static_cast<std::int64_t>(pruned))[0]
                      .as<std::uint64_t>();
    tx.commit();
    return Status::Ok();
  });
}

}  // namespace itc::store_postgres
