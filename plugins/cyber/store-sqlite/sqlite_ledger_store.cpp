#include "sqlite_ledger_store.hpp"

#include <algorithm>
#include <limits>

#include "itc/crypto.hpp"
#include "itc/signing.hpp"

namespace itc::store_sqlite {
namespace {

const std::string kZeroHash(crypto::kSha256Size, '\0');

// "1a2b3c4d…" for messages: enough to tell hashes apart, short enough to read.
std::string short_hex(std::string_view bytes) {
  if (bytes.empty()) return "(empty)";
  std::string hex = crypto::to_hex(bytes.substr(0, 4));
  if (bytes.size() > 4) hex += "…";
  return hex;
}

std::string block_label(std::uint64_t height) { return "block " + std::to_string(height); }

std::int64_t oldest_sample_us(const v1::Block& block) {
  if (block.readings_size() == 0) return 0;
  std::int64_t oldest = std::numeric_limits<std::int64_t>::max();
  for (const auto& r : block.readings()) oldest = std::min(oldest, r.sampled_at_us());
  return oldest;
}

}  // namespace

Result<std::unique_ptr<SqliteLedgerStore>> SqliteLedgerStore::open(const std::string& path,
                                                                   const Clock& clock) {
  auto db = Database::open(path);
  if (!db.ok()) return db.status();
  std::unique_ptr<SqliteLedgerStore> store(new SqliteLedgerStore(std::move(*db), clock));
  // Any failure below on an existing file means it is not a ledger we can trust.
  ITC_RETURN_IF_ERROR(store->db_->exec("PRAGMA journal_mode=WAL").WithContext(path));
  ITC_RETURN_IF_ERROR(store->db_->exec("PRAGMA synchronous=FULL").WithContext(path));
  // A second connection (the other version during a hot swap) may hold the write lock
  // briefly; wait for it rather than fail.
  ITC_RETURN_IF_ERROR(store->db_->exec("PRAGMA busy_timeout=5000").WithContext(path));
  ITC_RETURN_IF_ERROR(store->create_schema().WithContext(path));
  ITC_RETURN_IF_ERROR(store->prepare_statements().WithContext(path));
  ITC_RETURN_IF_ERROR(store->load_and_check_head().WithContext(path));
  return store;
}

Status SqliteLedgerStore::create_schema() {
  return db_->exec(
      "CREATE TABLE IF NOT EXISTS blocks("
      " height INTEGER PRIMARY KEY,"
      " hash BLOB NOT NULL,"
      " prev_hash BLOB NOT NULL,"
      " header BLOB NOT NULL,"
      " body BLOB NOT NULL,"
      " committed_at_us INTEGER NOT NULL,"
      " oldest_sample_us INTEGER NOT NULL)");
}

Status SqliteLedgerStore::prepare_statements() {
  auto prepare = [this](Statement& into, const std::string& sql) -> Status {
    auto s = db_->prepare(sql);
    if (!s.ok()) return s.status();
    into = std::move(*s);
    return Status::Ok();
  };
  ITC_RETURN_IF_ERROR(prepare(begin_, "BEGIN IMMEDIATE"));
  ITC_RETURN_IF_ERROR(prepare(commit_, "COMMIT"));
  ITC_RETURN_IF_ERROR(prepare(rollback_, "ROLLBACK"));
  ITC_RETURN_IF_ERROR(prepare(insert_,
                              "INSERT INTO blocks(height, hash, prev_hash, header, body,"
                              " committed_at_us, oldest_sample_us) VALUES(?,?,?,?,?,?,?)"));
  ITC_RETURN_IF_ERROR(
      prepare(select_head_, "SELECT height, hash FROM blocks ORDER BY height DESC LIMIT 1"));
  ITC_RETURN_IF_ERROR(prepare(select_body_, "SELECT body FROM blocks WHERE height = ?"));
  return Status::Ok();
}

Status SqliteLedgerStore::load_and_check_head() {
  auto summary = db_->prepare("SELECT count(*), min(height), max(height) FROM blocks");
  if (!summary.ok()) return summary.status();
  auto row = summary->step();
  if (!row.ok()) return row.status();
  const std::int64_t count = summary->column_int64(0);
  if (count == 0) {
    head_.reset();
    return Status::Ok();
  }
  const std::int64_t lowest = summary->column_int64(1);
  const std::int64_t highest = summary->column_int64(2);
  if (lowest != 1 || highest != count) {
    return Status::Corruption("ledger has " + std::to_string(count) + " blocks with heights " +
                              std::to_string(lowest) + ".." + std::to_string(highest) +
                              "; expected 1.." + std::to_string(count) + " without gaps");
  }
  auto head_row = db_->prepare(
      "SELECT hash, prev_hash, body, committed_at_us, oldest_sample_us FROM blocks"
      " WHERE height = ?");
  if (!head_row.ok()) return head_row.status();
  ITC_RETURN_IF_ERROR(head_row->bind_int64(1, highest));
  row = head_row->step();
  if (!row.ok()) return row.status();
  const auto height = static_cast<std::uint64_t>(highest);
  const std::string label = "head " + block_label(height);
  v1::Block head;
  if (!head.ParseFromString(head_row->column_blob(2))) {
    return Status::Corruption(label + ": body is not a valid serialized block");
  }
  if (head.header().height() != height) {
    return Status::Corruption(label + ": body says height " +
                              std::to_string(head.header().height()));
  }
  if (Status s = verify_block(head); !s.ok()) {
    return Status::Corruption("head does not verify: " + s.message());
  }
  if (head_row->column_blob(0) != head.hash() ||
      head_row->column_blob(1) != head.header().prev_hash()) {
    return Status::Corruption(label + ": hash columns disagree with the stored block");
  }
  if (height == 1) {
    if (head.header().prev_hash() != kZeroHash) {
      return Status::Corruption(label + ": prev_hash of the genesis block is not 32 zero bytes");
    }
  } else {
    auto below = db_->prepare("SELECT hash FROM blocks WHERE height = ?");
    if (!below.ok()) return below.status();
    ITC_RETURN_IF_ERROR(below->bind_int64(1, highest - 1));
    auto found = below->step();
    if (!found.ok()) return found.status();
    if (below->column_blob(0) != head.header().prev_hash()) {
      return Status::Corruption(label + ": prev_hash " + short_hex(head.header().prev_hash()) +
                                " is not the hash of block " + std::to_string(height - 1) + " (" +
                                short_hex(below->column_blob(0)) + ")");
    }
  }
  v1::BlockCommitted committed;
  *committed.mutable_header() = head.header();
  committed.set_hash(head.hash());
  committed.set_committed_at_us(head_row->column_int64(3));
  committed.set_oldest_sample_us(head_row->column_int64(4));
  head_ = std::move(committed);
  return Status::Ok();
}

// Checks that `block` extends the head (height `head_height`, hash `head_hash`; 0 and
// empty for an empty ledger); FailedPrecondition naming the mismatch.
Status SqliteLedgerStore::check_link(const v1::Block& block, std::uint64_t head_height,
                                     const std::string& head_hash) const {
  const std::uint64_t height = block.header().height();
  if (height != head_height + 1) {
    return Status::FailedPrecondition(block_label(height) + ": height must be " +
                                      std::to_string(head_height + 1) + " (head is " +
                                      std::to_string(head_height) + ")");
  }
  const std::string& expected_prev = head_height > 0 ? head_hash : kZeroHash;
  if (block.header().prev_hash() != expected_prev) {
    return Status::FailedPrecondition(
        block_label(height) + ": prev_hash " + short_hex(block.header().prev_hash()) +
        (head_height > 0 ? " is not the hash of head block " + std::to_string(head_height) + " (" +
                               short_hex(expected_prev) + ")"
                         : " must be 32 zero bytes for the genesis block"));
  }
  return Status::Ok();
}

Status SqliteLedgerStore::append(const v1::Block& block) {
  // Verification and serialisation need no lock: they only read `block`.
  // verify_block's message names the block and what is wrong with it.
  if (Status s = verify_block(block); !s.ok()) return Status::Corruption(s.message());
  std::string header_bytes;
  std::string body_bytes;
  if (!block.header().SerializeToString(&header_bytes) || !block.SerializeToString(&body_bytes)) {
    return Status::InvalidArgument(block_label(block.header().height()) + ": cannot be serialized");
  }
  const std::int64_t oldest = oldest_sample_us(block);

  std::lock_guard lock(mutex_);
  const std::int64_t committed_at = clock_.unix_micros();
  const auto height = static_cast<std::int64_t>(block.header().height());

  begin_.reset();
  if (auto r = begin_.step(); !r.ok()) return r.status().WithContext(block_label(height));
  auto write = [&]() -> Status {
    // The head is read inside the write transaction, so the link check also holds
    // against another connection to the same file.
    select_head_.reset();
    auto found = select_head_.step();
    if (!found.ok()) return found.status();
    const std::uint64_t head_height =
        *found ? static_cast<std::uint64_t>(select_head_.column_int64(0)) : 0;
    const std::string head_hash = *found ? select_head_.column_blob(1) : std::string();
    select_head_.reset();
    ITC_RETURN_IF_ERROR(check_link(block, head_height, head_hash));
    insert_.reset();
    ITC_RETURN_IF_ERROR(insert_.bind_int64(1, height));
    ITC_RETURN_IF_ERROR(insert_.bind_blob(2, block.hash()));
    ITC_RETURN_IF_ERROR(insert_.bind_blob(3, block.header().prev_hash()));
    ITC_RETURN_IF_ERROR(insert_.bind_blob(4, header_bytes));
    ITC_RETURN_IF_ERROR(insert_.bind_blob(5, body_bytes));
    ITC_RETURN_IF_ERROR(insert_.bind_int64(6, committed_at));
    ITC_RETURN_IF_ERROR(insert_.bind_int64(7, oldest));
    auto r = insert_.step();
    insert_.reset();  // drop references to the local buffers
    if (!r.ok()) return r.status();
    commit_.reset();
    if (auto c = commit_.step(); !c.ok()) return c.status();
    return Status::Ok();
  };
  if (Status s = write(); !s.ok()) {
    rollback_.reset();
    (void)rollback_.step();
    rollback_.reset();
    if (s.code() == Status::Code::kFailedPrecondition) return s;  // already names the block
    return s.WithContext(block_label(height) + " not written");
  }
  v1::BlockCommitted committed;
  *committed.mutable_header() = block.header();
  committed.set_hash(block.hash());
  committed.set_committed_at_us(committed_at);
  committed.set_oldest_sample_us(oldest);
  head_ = std::move(committed);
  return Status::Ok();
}

Result<std::optional<v1::BlockCommitted>> SqliteLedgerStore::head() {
  std::lock_guard lock(mutex_);
  return head_;
}

Result<std::optional<std::string>> SqliteLedgerStore::read_body(std::uint64_t height) {
  std::lock_guard lock(mutex_);
  select_body_.reset();
  ITC_RETURN_IF_ERROR(select_body_.bind_int64(1, static_cast<std::int64_t>(height)));
  auto row = select_body_.step();
  if (!row.ok()) return row.status();
  std::optional<std::string> body;
  if (*row) body = select_body_.column_blob(0);
  select_body_.reset();
  return body;
}

Result<v1::Block> SqliteLedgerStore::block(std::uint64_t height) {
  if (height > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return Status::NotFound(block_label(height) + ": no such block");
  }
  auto body = read_body(height);
  if (!body.ok()) return body.status().WithContext(block_label(height));
  if (!body->has_value()) return Status::NotFound(block_label(height) + ": no such block");
  v1::Block block;
  if (!block.ParseFromString(**body)) {
    return Status::Corruption(block_label(height) + ": body is not a valid serialized block");
  }
  if (block.header().height() != height) {
    return Status::Corruption(block_label(height) + ": body says height " +
                              std::to_string(block.header().height()));
  }
  // Read back, a block must still verify: a modified body is reported, never served.
  if (Status s = verify_block(block); !s.ok()) return Status::Corruption(s.message());
  return block;
}

}  // namespace itc::store_sqlite
