#include "postgres_ledger_store.hpp"

#include <limits>
#include <map>
#include <pqxx/binarystring>
#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/stream_to>
#include <pqxx/transaction>
#include <tuple>

#include "itc/crypto.hpp"
#include "ledger_store_rules.hpp"
#include "pg_errors.hpp"
#include "stored_block.hpp"

namespace itc::store_postgres {

using store_common::block_label;

namespace {

constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kScanPage = 1000;

// bytea in PostgreSQL's hex text form ("\x0a0b"), as COPY and array literals take it.
std::string bytea_text(std::string_view bytes) { return "\\x" + crypto::to_hex(bytes); }

// A bytea[] literal: {"\\x0a0b","\\x..."} (inside the quotes a backslash escapes).
std::string bytea_array(const std::vector<std::string_view>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "\"\\\\x" + crypto::to_hex(items[i]) + "\"";
  }
  out.push_back('}');
  return out;
}

pqxx::binarystring binary(std::string_view bytes) {
  return pqxx::binarystring(bytes.data(), bytes.size());
}

}  // namespace

template <typename Fn>
auto PostgresLedgerStore::with_connection(std::string_view what, Fn&& fn) -> decltype(fn()) {
  for (int attempt = 1;; ++attempt) {
    if (Status s = ensure_connected(); !s.ok()) return s.WithContext(what);
    try {
      return fn();
    } catch (const pqxx::broken_connection& e) {
      if (attempt == 2) return pg_status(e, what);
    } catch (const std::exception& e) {
      return pg_status(e, what);  // in_doubt_error (a broken COMMIT) included: no retry
    }
  }
}

Status PostgresLedgerStore::ensure_connected() {
  if (connection_ != nullptr && connection_->is_open()) return Status::Ok();
  connection_.reset();
  auto connection = connect(settings_);
  if (!connection.ok()) return connection.status();
  connection_ = std::move(*connection);
  return pg_call("preparing statements", [&] {
    prepare_statements();
    return Status::Ok();
  });
}

struct PostgresLedgerStore::EncodedBlock : store_common::EncodedBlock {
  using store_common::EncodedBlock::EncodedBlock;
  // COPY rows of the readings table: device_id, height, readings (bytea text).
  std::vector<std::tuple<std::string, std::int64_t, std::string>> copy_rows;
};

Status PostgresLedgerStore::append(const v1::Block& block, const v1::StateDelta& delta) {
  ITC_RETURN_IF_ERROR(store_common::check_block_and_delta(block, delta));
  EncodedBlock encoded{block};
  ITC_RETURN_IF_ERROR(store_common::encode_block(&encoded));
  for (const auto& row : encoded.readings) {
    encoded.copy_rows.emplace_back(std::string(row.device_id), encoded.height,
                                   bytea_text(row.packed));
  }

  std::lock_guard lock(mutex_);
  const std::int64_t committed_at = clock_.unix_micros();
  Status s = with_connection(block_label(block.header().height()) + " not written",
                             [&] { return write_block(encoded, delta, committed_at); });
  if (!s.ok()) {
    if (s.code() == Status::Code::kUnavailable) head_uncertain_ = true;
    return s;
  }
  head_ = store_common::committed_summary(block, committed_at, encoded.oldest_sample_us);
  head_uncertain_ = false;
  kept_bytes_ += encoded.body.size();
  for (const auto& row : encoded.readings) kept_bytes_ += row.packed.size();
  return Status::Ok();
}

Status PostgresLedgerStore::write_block(const EncodedBlock& encoded, const v1::StateDelta& delta,
                                        std::int64_t committed_at) {
  pqxx::work tx(*connection_);
  // Appenders take turns; readers are not blocked. The head is then read inside this
  // transaction, so the link check holds against every other connection too.
  tx.exec("LOCK TABLE " + table("blocks") + " IN SHARE ROW EXCLUSIVE MODE");
  const auto head = tx.exec_prepared("itc_head");
  const std::uint64_t head_height = head.empty() ? 0 : head[0][0].as<std::uint64_t>();
  const std::string head_hash = head.empty() ? std::string() : pqxx::binarystring(head[0][1]).str();
  ITC_RETURN_IF_ERROR(store_common::check_link(encoded.block, head_height, head_hash));

  const auto& b = encoded.block;
  if (encoded.qc) {
    tx.exec_prepared("itc_insert_block", encoded.height, binary(b.hash()),
                     binary(b.header().prev_hash()), binary(encoded.header), binary(encoded.body),
                     binary(*encoded.qc), committed_at, encoded.oldest_sample_us);
  } else {
    tx.exec_prepared("itc_insert_block", encoded.height, binary(b.hash()),
                     binary(b.header().prev_hash()), binary(encoded.header), binary(encoded.body),
                     nullptr, committed_at, encoded.oldest_sample_us);
  }

  // One statement can change a row only once: fold the delta to each key's last value.
  std::map<std::string_view, std::string_view> last;
  for (const auto& entry : delta.entries()) last[entry.key()] = entry.value();
  std::vector<std::string_view> upsert_keys, upsert_values, delete_keys;
  for (const auto& [key, value] : last) {
    if (value.empty()) {
      delete_keys.push_back(key);
    } else {
      upsert_keys.push_back(key);
      upsert_values.push_back(value);
    }
  }
  if (!delete_keys.empty()) tx.exec_prepared("itc_delete_state", bytea_array(delete_keys));
  if (!upsert_keys.empty()) {
    tx.exec_prepared("itc_upsert_state", bytea_array(upsert_keys), bytea_array(upsert_values));
  }

  if (!encoded.copy_rows.empty()) {
    pqxx::stream_to copy(tx, table("readings"),
                         std::vector<std::string>{"device_id", "height", "readings"});
    for (const auto& row : encoded.copy_rows) copy << row;
    copy.complete();
  }
  tx.commit();
  return Status::Ok();
}

Result<std::optional<v1::BlockCommitted>> PostgresLedgerStore::head() {
  std::lock_guard lock(mutex_);
  if (head_uncertain_) {
    ITC_RETURN_IF_ERROR(ensure_connected().WithContext(where()));
    ITC_RETURN_IF_ERROR(load_and_check_head().WithContext(where()));
  }
  return head_;
}

Result<v1::Block> PostgresLedgerStore::load_block(pqxx::transaction_base& tx,
                                                  std::uint64_t height) {
  const auto rows = tx.exec_prepared("itc_block", static_cast<std::int64_t>(height));
  if (rows.empty()) return Status::NotFound(block_label(height) + ": no such block");
  v1::Block block;
  const pqxx::binarystring body(rows[0][0]);
  if (!block.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return Status::Corruption(block_label(height) + ": body is not a valid serialized block");
  }
  store_common::ReadingsAssembly assembly(block);
  for (const auto& row :
       tx.exec_prepared("itc_block_readings", static_cast<std::int64_t>(height))) {
    const pqxx::binarystring packed(row[1]);
    ITC_RETURN_IF_ERROR(assembly.add_row(
        std::string_view(reinterpret_cast<const char*>(packed.data()), packed.size()),
        row[0].c_str()));
  }
  ITC_RETURN_IF_ERROR(assembly.finish(&block));
  return block;
}

Result<v1::Block> PostgresLedgerStore::block(std::uint64_t height) {
  if (height > static_cast<std::uint64_t>(kMaxInt64)) {
    return Status::NotFound(block_label(height) + ": no such block");
  }
  Result<v1::Block> block = Status::Internal("unread");
  {
    std::lock_guard lock(mutex_);
    block = with_connection(block_label(height), [&]() -> Result<v1::Block> {
      // One snapshot: the body and its readings rows as of the same moment.
      pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*connection_);
      const std::uint64_t pruned = stored_pruned_through(tx);
      if (height >= 1 && height <= pruned) {
        return store_common::pruned_block(height, pruned, retention_.describe());
      }
      return load_block(tx, height);
    });
  }
  if (!block.ok()) return block.status();
  // Read back, a block must still verify: a modified body or reading is reported, never
  // served.
  ITC_RETURN_IF_ERROR(store_common::check_read_block(*block, height));
  return block;
}

Result<std::optional<std::string>> PostgresLedgerStore::state_value(std::string_view key) {
  std::lock_guard lock(mutex_);
  return with_connection("state", [&]() -> Result<std::optional<std::string>> {
    pqxx::nontransaction tx(*connection_);
    const auto rows = tx.exec_prepared("itc_state_value", binary(key));
    if (rows.empty()) return std::optional<std::string>();
    return std::optional<std::string>(pqxx::binarystring(rows[0][0]).str());
  });
}

Status PostgresLedgerStore::scan_state(const StateVisitor& visit) {
  std::lock_guard lock(mutex_);
  bool visited = false;
  return with_connection("state scan", [&]() -> Status {
    if (visited) {
      return Status::Unavailable(
          "state scan: the connection was lost part-way, after some entries were visited");
    }
    // Pages of one repeatable-read snapshot: the scan never mixes two heads' states.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*connection_);
    std::string after;  // the empty key sorts first and is never stored
    for (;;) {
      const auto rows = tx.exec_prepared("itc_scan_state", binary(after), kScanPage);
      std::string value;
      for (const auto& row : rows) {
        after = pqxx::binarystring(row[0]).str();
        value = pqxx::binarystring(row[1]).str();
        visited = true;
        ITC_RETURN_IF_ERROR(visit(after, value));
      }
      if (static_cast<std::int64_t>(rows.size()) < kScanPage) break;
    }
    tx.commit();
    return Status::Ok();
  });
}

Result<std::vector<v1::Reading>> PostgresLedgerStore::readings(std::string_view device_id,
                                                               std::uint64_t from_height,
                                                               std::size_t limit) {
  std::vector<v1::Reading> out;
  if (limit == 0 || from_height > static_cast<std::uint64_t>(kMaxInt64)) return out;
  const std::int64_t max_rows =
      limit > static_cast<std::size_t>(kMaxInt64) ? kMaxInt64 : static_cast<std::int64_t>(limit);
  std::lock_guard lock(mutex_);
  const std::string what = "readings of " + std::string(device_id);
  Status read = with_connection(what, [&]() -> Status {
    pqxx::nontransaction tx(*connection_);
    out.clear();
    const auto rows = tx.exec_prepared("itc_readings", std::string(device_id),
                                       static_cast<std::int64_t>(from_height), max_rows);
    for (const auto& row : rows) {
      const pqxx::binarystring packed(row[1]);
      ITC_RETURN_IF_ERROR(store_common::unpack_readings(
          std::string_view(reinterpret_cast<const char*>(packed.data()), packed.size()), device_id,
          row[0].as<std::uint64_t>(), [&](std::uint64_t, v1::Reading&& r) {
            out.push_back(std::move(r));
            return out.size() < limit;
          }));
      if (out.size() >= limit) break;
    }
    return Status::Ok();
  });
  ITC_RETURN_IF_ERROR(read);
  return out;
}

// ---- Retention ---------------------------------------------------------------------------

std::uint64_t PostgresLedgerStore::stored_pruned_through(pqxx::transaction_base& tx) {
  const auto rows = tx.exec("SELECT value FROM " + table("meta") + " WHERE key = 'pruned_through'");
  return rows.empty() ? 0 : rows[0][0].as<std::uint64_t>();
}

std::uint64_t PostgresLedgerStore::pruned_through() {
  std::lock_guard lock(mutex_);
  auto pruned = with_connection("retention", [&]() -> Result<std::uint64_t> {
    pqxx::nontransaction tx(*connection_);
    return stored_pruned_through(tx);
  });
  return pruned.ok() ? *pruned : 0;
}

std::uint64_t PostgresLedgerStore::kept_bytes() {
  std::lock_guard lock(mutex_);
  return kept_bytes_;
}

Result<v1::BlockCommitted> PostgresLedgerStore::header(std::uint64_t height) {
  if (height > static_cast<std::uint64_t>(kMaxInt64)) {
    return Status::NotFound(block_label(height) + ": no such block");
  }
  std::lock_guard lock(mutex_);
  return with_connection(block_label(height), [&]() -> Result<v1::BlockCommitted> {
    pqxx::nontransaction tx(*connection_);
    const auto rows =
        tx.exec_params("SELECT header, hash, qc, committed_at_us, oldest_sample_us FROM " +
                           table("blocks") + " WHERE height = $1",
                       static_cast<std::int64_t>(height));
    if (rows.empty()) return Status::NotFound(block_label(height) + ": no such block");
    const auto& row = rows[0];
    const std::string header = pqxx::binarystring(row[0]).str();
    const std::string hash = pqxx::binarystring(row[1]).str();
    const std::string qc = row[2].is_null() ? std::string() : pqxx::binarystring(row[2]).str();
    return store_common::stored_summary(height, header, hash, row[2].is_null() ? nullptr : &qc,
                                        row[3].as<std::int64_t>(), row[4].as<std::int64_t>());
  });
}

Result<std::uint64_t> PostgresLedgerStore::prune(std::uint64_t max_blocks) {
  std::uint64_t total = 0;
  while (total < max_blocks) {
    Result<std::uint64_t> pruned = Status::Internal("unrun");
    {
      // One batch per lock: an append waits for one batch at most.
      std::lock_guard lock(mutex_);
      pruned = prune_batch(std::min<std::uint64_t>(retention_.batch_blocks, max_blocks - total));
    }
    if (!pruned.ok()) return pruned.status();
    if (*pruned == 0) break;
    total += *pruned;
  }
  return total;
}

Result<std::uint64_t> PostgresLedgerStore::prune_batch(std::uint64_t max_blocks) {
  if (!retention_.on() || max_blocks == 0) return std::uint64_t{0};
  std::uint64_t kept = kept_bytes_;  // as it will be once this batch commits
  auto pruned = with_connection("retention", [&]() -> Result<std::uint64_t> {
    kept = kept_bytes_;
    pqxx::work tx(*connection_);
    // Takes turns with appenders (and another pruner of the same schema).
    tx.exec("LOCK TABLE " + table("blocks") + " IN SHARE ROW EXCLUSIVE MODE");
    const std::uint64_t first = stored_pruned_through(tx) + 1;
    const auto head = tx.exec_prepared("itc_head");
    const std::uint64_t head_height = head.empty() ? 0 : head[0][0].as<std::uint64_t>();
    const std::int64_t now = clock_.unix_micros();
    // Never the head: it is checked in full on open, and a node resumes from it.
    const auto rows =
        tx.exec_params("SELECT height, committed_at_us, body FROM " + table("blocks") +
                           " WHERE height >= $1 AND height < $2 ORDER BY height LIMIT $3",
                       static_cast<std::int64_t>(first), static_cast<std::int64_t>(head_height),
                       static_cast<std::int64_t>(max_blocks));
    std::uint64_t height = first;
    for (const auto& row : rows) {
      if (row[0].as<std::uint64_t>() != height) {
        return Status::Corruption(block_label(height) + ": missing");
      }
      if (!store_common::due_for_pruning(retention_, row[1].as<std::int64_t>(), now, kept)) break;
      const pqxx::binarystring body(row[2]);
      auto kept_body = store_common::pruned_body(
          std::string_view(reinterpret_cast<const char*>(body.data()), body.size()), height);
      if (!kept_body.ok()) return kept_body.status();
      const auto h = static_cast<std::int64_t>(height);
      const auto readings_bytes =
          tx.exec_params1("WITH gone AS (DELETE FROM " + table("readings") +
                              " WHERE height = $1 RETURNING octet_length(readings) AS n)"
                              " SELECT coalesce(sum(n), 0)::bigint FROM gone",
                          h)[0]
              .as<std::uint64_t>();
      tx.exec_params("UPDATE " + table("blocks") + " SET body = $1 WHERE height = $2",
                     binary(*kept_body), h);
      kept -= std::min(kept, readings_bytes + body.size());
      ++height;
    }
    if (height == first) return std::uint64_t{0};
    tx.exec_params("INSERT INTO " + table("meta") +
                       " VALUES('pruned_through', $1)"
                       " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                   std::to_string(height - 1));
    tx.commit();
    return height - first;
  });
  if (!pruned.ok()) return pruned.status().WithContext("retention");
  kept_bytes_ = kept;
  return pruned;
}

}  // namespace itc::store_postgres
