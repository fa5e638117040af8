#include "sqlite_ledger_store.hpp"

#include <algorithm>
#include <limits>

#include "ledger_store_rules.hpp"
#include "stored_block.hpp"

namespace itc::store_sqlite {

using store_common::block_label;

namespace {

constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();

}  // namespace

Status SqliteLedgerStore::run(Statement& statement) {
  auto r = statement.step();
  statement.reset();  // also drops references to the caller's buffers
  return r.ok() ? Status::Ok() : r.status();
}

Status SqliteLedgerStore::append(const v1::Block& block, const v1::StateDelta& delta) {
  ITC_RETURN_IF_ERROR(store_common::check_block_and_delta(block, delta));
  EncodedBlock encoded{block};
  ITC_RETURN_IF_ERROR(store_common::encode_block(&encoded));

  std::lock_guard lock(mutex_);
  const std::int64_t committed_at = clock_.unix_micros();
  begin_.reset();
  if (auto r = begin_.step(); !r.ok()) return r.status().WithContext(block_label(encoded.height));
  if (Status s = write_block(encoded, delta, committed_at); !s.ok()) {
    rollback_.reset();
    (void)rollback_.step();
    rollback_.reset();
    if (s.code() == Status::Code::kFailedPrecondition) return s;  // already names the block
    return s.WithContext(block_label(encoded.height) + " not written");
  }
  head_ = store_common::committed_summary(block, committed_at, encoded.oldest_sample_us);
  kept_bytes_ += encoded.body.size();
  for (const auto& row : encoded.readings) kept_bytes_ += row.packed.size();
  return Status::Ok();
}

// Inside the open transaction: the link check against the head as stored (so it also holds
// against another connection to the same file), then every row, then COMMIT.
Status SqliteLedgerStore::write_block(const EncodedBlock& encoded, const v1::StateDelta& delta,
                                      std::int64_t committed_at) {
  select_head_.reset();
  auto found = select_head_.step();
  if (!found.ok()) return found.status();
  const std::uint64_t head_height =
      *found ? static_cast<std::uint64_t>(select_head_.column_int64(0)) : 0;
  const std::string head_hash = *found ? select_head_.column_blob(1) : std::string();
  select_head_.reset();
  ITC_RETURN_IF_ERROR(store_common::check_link(encoded.block, head_height, head_hash));

  insert_block_.reset();
  ITC_RETURN_IF_ERROR(insert_block_.bind_int64(1, encoded.height));
  ITC_RETURN_IF_ERROR(insert_block_.bind_blob(2, encoded.block.hash()));
  ITC_RETURN_IF_ERROR(insert_block_.bind_blob(3, encoded.block.header().prev_hash()));
  ITC_RETURN_IF_ERROR(insert_block_.bind_blob(4, encoded.header));
  ITC_RETURN_IF_ERROR(insert_block_.bind_blob(5, encoded.body));
  ITC_RETURN_IF_ERROR(encoded.qc ? insert_block_.bind_blob(6, *encoded.qc)
                                 : insert_block_.bind_null(6));
  ITC_RETURN_IF_ERROR(insert_block_.bind_int64(7, committed_at));
  ITC_RETURN_IF_ERROR(insert_block_.bind_int64(8, encoded.oldest_sample_us));
  ITC_RETURN_IF_ERROR(run(insert_block_));

  // In delta order, so a key written twice ends with its last value.
  for (const auto& entry : delta.entries()) {
    if (entry.value().empty()) {
      delete_state_.reset();
      ITC_RETURN_IF_ERROR(delete_state_.bind_blob(1, entry.key()));
      ITC_RETURN_IF_ERROR(run(delete_state_));
    } else {
      upsert_state_.reset();
      ITC_RETURN_IF_ERROR(upsert_state_.bind_blob(1, entry.key()));
      ITC_RETURN_IF_ERROR(upsert_state_.bind_blob(2, entry.value()));
      ITC_RETURN_IF_ERROR(run(upsert_state_));
    }
  }

  for (const auto& row : encoded.readings) {
    insert_readings_.reset();
    ITC_RETURN_IF_ERROR(insert_readings_.bind_text(1, row.device_id));
    ITC_RETURN_IF_ERROR(insert_readings_.bind_int64(2, encoded.height));
    ITC_RETURN_IF_ERROR(insert_readings_.bind_blob(3, row.packed));
    ITC_RETURN_IF_ERROR(run(insert_readings_));
  }
  commit_.reset();
  return run(commit_);
}

Result<std::optional<v1::BlockCommitted>> SqliteLedgerStore::head() {
  std::lock_guard lock(mutex_);
  return head_;
}

Result<v1::Block> SqliteLedgerStore::load_block(std::uint64_t height) {
  v1::Block block;
  select_block_.reset();
  ITC_RETURN_IF_ERROR(select_block_.bind_int64(1, static_cast<std::int64_t>(height)));
  auto row = select_block_.step();
  if (!row.ok()) {
    select_block_.reset();
    return row.status().WithContext(block_label(height));
  }
  if (!*row) {
    select_block_.reset();
    return Status::NotFound(block_label(height) + ": no such block");
  }
  const std::string_view body = select_block_.column_view(0);
  const bool parsed = block.ParseFromArray(body.data(), static_cast<int>(body.size()));
  select_block_.reset();
  if (!parsed) {
    return Status::Corruption(block_label(height) + ": body is not a valid serialized block");
  }
  store_common::ReadingsAssembly assembly(block);
  select_block_readings_.reset();
  ITC_RETURN_IF_ERROR(select_block_readings_.bind_int64(1, static_cast<std::int64_t>(height)));
  Status read;
  for (;;) {
    auto found = select_block_readings_.step();
    if (!found.ok()) read = found.status().WithContext(block_label(height));
    if (!found.ok() || !*found) break;
    read = assembly.add_row(select_block_readings_.column_view(1),
                            select_block_readings_.column_view(0));
    if (!read.ok()) break;
  }
  select_block_readings_.reset();
  ITC_RETURN_IF_ERROR(read);
  ITC_RETURN_IF_ERROR(assembly.finish(&block));
  return block;
}

Result<v1::Block> SqliteLedgerStore::block(std::uint64_t height) {
  if (height > static_cast<std::uint64_t>(kMaxInt64)) {
    return Status::NotFound(block_label(height) + ": no such block");
  }
  Result<v1::Block> block = Status::Internal("unread");
  {
    std::lock_guard lock(mutex_);
    auto pruned = stored_pruned_through();
    if (!pruned.ok()) return pruned.status().WithContext(block_label(height));
    if (height >= 1 && height <= *pruned) {
      return store_common::pruned_block(height, *pruned, retention_.describe());
    }
    block = load_block(height);
  }
  if (!block.ok()) return block.status();
  // Read back, a block must still verify: a modified body or reading is reported, never
  // served.
  ITC_RETURN_IF_ERROR(store_common::check_read_block(*block, height));
  return block;
}

Result<std::optional<std::string>> SqliteLedgerStore::state_value(std::string_view key) {
  std::lock_guard lock(mutex_);
  select_state_.reset();
  ITC_RETURN_IF_ERROR(select_state_.bind_blob(1, key));
  auto row = select_state_.step();
  std::optional<std::string> value;
  if (row.ok() && *row) value = select_state_.column_blob(0);
  select_state_.reset();
  if (!row.ok()) return row.status().WithContext("state");
  return value;
}

Status SqliteLedgerStore::scan_state(const StateVisitor& visit) {
  std::lock_guard lock(mutex_);
  // One statement reads one snapshot: the scan never mixes two heads' states.
  scan_state_.reset();
  std::string key;
  std::string value;
  for (;;) {
    auto row = scan_state_.step();
    if (!row.ok()) {
      scan_state_.reset();
      return row.status().WithContext("state scan");
    }
    if (!*row) break;
    key.assign(scan_state_.column_view(0));
    value.assign(scan_state_.column_view(1));
    if (Status s = visit(key, value); !s.ok()) {
      scan_state_.reset();
      return s;
    }
  }
  scan_state_.reset();
  return Status::Ok();
}

Result<std::vector<v1::Reading>> SqliteLedgerStore::readings(std::string_view device_id,
                                                             std::uint64_t from_height,
                                                             std::size_t limit) {
  std::vector<v1::Reading> out;
  if (limit == 0 || from_height > static_cast<std::uint64_t>(kMaxInt64)) return out;
  std::lock_guard lock(mutex_);
  select_readings_.reset();
  ITC_RETURN_IF_ERROR(select_readings_.bind_text(1, device_id));
  ITC_RETURN_IF_ERROR(select_readings_.bind_int64(2, static_cast<std::int64_t>(from_height)));
  Status failed;
  while (out.size() < limit) {
    auto row = select_readings_.step();
    if (!row.ok()) {
      failed = row.status().WithContext("readings of " + std::string(device_id));
      break;
    }
    if (!*row) break;
    failed =
        store_common::unpack_readings(select_readings_.column_view(1), device_id,
                                      static_cast<std::uint64_t>(select_readings_.column_int64(0)),
                                      [&](std::uint64_t, v1::Reading&& r) {
                                        out.push_back(std::move(r));
                                        return out.size() < limit;
                                      });
    if (!failed.ok()) break;
  }
  select_readings_.reset();
  if (!failed.ok()) return failed;
  return out;
}

// ---- Retention ---------------------------------------------------------------------------

Result<std::uint64_t> SqliteLedgerStore::stored_pruned_through() {
  select_pruned_through_.reset();
  auto row = select_pruned_through_.step();
  const std::int64_t value = row.ok() && *row ? select_pruned_through_.column_int64(0) : 0;
  select_pruned_through_.reset();
  if (!row.ok()) return row.status().WithContext("retention");
  return static_cast<std::uint64_t>(std::max<std::int64_t>(value, 0));
}

std::uint64_t SqliteLedgerStore::pruned_through() {
  std::lock_guard lock(mutex_);
  auto pruned = stored_pruned_through();
  return pruned.ok() ? *pruned : 0;
}

std::uint64_t SqliteLedgerStore::kept_bytes() {
  std::lock_guard lock(mutex_);
  return kept_bytes_;
}

Result<v1::BlockCommitted> SqliteLedgerStore::header(std::uint64_t height) {
  if (height > static_cast<std::uint64_t>(kMaxInt64)) {
    return Status::NotFound(block_label(height) + ": no such block");
  }
  std::lock_guard lock(mutex_);
  select_header_.reset();
  ITC_RETURN_IF_ERROR(select_header_.bind_int64(1, static_cast<std::int64_t>(height)));
  auto row = select_header_.step();
  if (!row.ok() || !*row) {
    select_header_.reset();
    if (!row.ok()) return row.status().WithContext(block_label(height));
    return Status::NotFound(block_label(height) + ": no such block");
  }
  const std::string qc = select_header_.column_blob(2);
  auto summary = store_common::stored_summary(
      height, select_header_.column_view(0), select_header_.column_view(1),
      select_header_.column_is_null(2) ? nullptr : &qc, select_header_.column_int64(3),
      select_header_.column_int64(4));
  select_header_.reset();
  return summary;
}

Result<std::uint64_t> SqliteLedgerStore::prune(std::uint64_t max_blocks) {
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
  if (total > 0) {
    std::lock_guard lock(mutex_);
    return_free_pages();
  }
  return total;
}

Result<std::uint64_t> SqliteLedgerStore::prune_batch(std::uint64_t max_blocks) {
  if (!retention_.on() || max_blocks == 0) return std::uint64_t{0};
  begin_.reset();
  if (auto r = begin_.step(); !r.ok()) return r.status().WithContext("retention");
  auto rollback = [this] {
    rollback_.reset();
    (void)rollback_.step();
    rollback_.reset();
  };
  auto pruned = stored_pruned_through();
  if (!pruned.ok()) {
    rollback();
    return pruned.status();
  }
  const std::uint64_t first = *pruned + 1;
  const std::uint64_t head = head_ ? head_->header().height() : 0;
  const std::int64_t now = clock_.unix_micros();
  std::uint64_t height = first;
  auto age = db_->prepare("SELECT committed_at_us FROM blocks WHERE height = ?");
  if (!age.ok()) {
    rollback();
    return age.status();
  }
  Status failed;
  std::uint64_t kept = kept_bytes_;  // as it will be once this batch commits
  // Never the head: it is checked in full on open, and a node resumes from it.
  for (; height < head && height - first < max_blocks; ++height) {
    age->reset();
    failed = age->bind_int64(1, static_cast<std::int64_t>(height));
    if (!failed.ok()) break;
    auto row = age->step();
    if (!row.ok() || !*row) {
      failed = row.ok() ? Status::Corruption(block_label(height) + ": missing") : row.status();
      break;
    }
    const std::int64_t committed_at = age->column_int64(0);
    age->reset();
    if (!store_common::due_for_pruning(retention_, committed_at, now, kept)) break;
    std::uint64_t freed = 0;
    failed = prune_block(height, &freed);
    if (!failed.ok()) break;
    kept -= std::min(kept, freed);
  }
  if (failed.ok() && height > first) {
    auto update = db_->prepare("UPDATE retention SET pruned_through = ? WHERE id = 1");
    failed = update.ok() ? update->bind_int64(1, static_cast<std::int64_t>(height - 1))
                         : update.status();
    if (failed.ok()) failed = run(*update);
    if (failed.ok()) {
      commit_.reset();
      failed = run(commit_);
    }
    if (failed.ok()) kept_bytes_ = kept;
  } else if (failed.ok()) {
    rollback();
    return std::uint64_t{0};
  }
  if (!failed.ok()) {
    rollback();  // the blocks stay as they were
    return failed.WithContext("retention: pruning " + block_label(height));
  }
  return height - first;
}

// Inside prune_batch's transaction: the block's readings rows go, its body loses its
// transactions. `freed` gets the bytes no longer kept.
Status SqliteLedgerStore::prune_block(std::uint64_t height, std::uint64_t* freed) {
  const auto h = static_cast<std::int64_t>(height);
  auto sizes = db_->prepare(
      "SELECT coalesce((SELECT sum(length(readings)) FROM readings WHERE height = ?1), 0),"
      " body FROM blocks WHERE height = ?1");
  if (!sizes.ok()) return sizes.status();
  ITC_RETURN_IF_ERROR(sizes->bind_int64(1, h));
  auto row = sizes->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Corruption(block_label(height) + ": missing");
  const std::string_view body = sizes->column_view(1);
  auto kept_body = store_common::pruned_body(body, height);
  if (!kept_body.ok()) return kept_body.status();
  *freed = static_cast<std::uint64_t>(sizes->column_int64(0)) + body.size();
  auto erase = db_->prepare("DELETE FROM readings WHERE height = ?");
  if (!erase.ok()) return erase.status();
  ITC_RETURN_IF_ERROR(erase->bind_int64(1, h));
  ITC_RETURN_IF_ERROR(run(*erase));
  auto update = db_->prepare("UPDATE blocks SET body = ? WHERE height = ?");
  if (!update.ok()) return update.status();
  ITC_RETURN_IF_ERROR(update->bind_blob(1, *kept_body));
  ITC_RETURN_IF_ERROR(update->bind_int64(2, h));
  return run(*update);
}

// Free pages are reused by later appends; those beyond a quarter of the file go back to the
// file system (only in a file created with auto_vacuum = INCREMENTAL; a no-op otherwise).
void SqliteLedgerStore::return_free_pages() {
  auto pages = db_->prepare("PRAGMA page_count");
  auto free_pages = db_->prepare("PRAGMA freelist_count");
  if (!pages.ok() || !free_pages.ok()) return;
  auto a = pages->step();
  auto b = free_pages->step();
  if (!a.ok() || !*a || !b.ok() || !*b) return;
  const std::int64_t spare = free_pages->column_int64(0) - pages->column_int64(0) / 4;
  if (spare <= 0) return;
  (void)db_->exec("PRAGMA incremental_vacuum(" + std::to_string(spare) + ")");
}

}  // namespace itc::store_sqlite
