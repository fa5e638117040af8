#include "block_cutter.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <limits>

#include "itc/bus.hpp"
#include "itc/crypto.hpp"
#include "itc/ledger/block_commitments.hpp"

namespace itc::solo {
namespace {
const std::string kGenesisPrevHash(crypto::kSha256Size, '\0');
}  // namespace

BlockCutter::BlockCutter(HostEnv& env, std::uint32_t max_block_readings)
    : env_(env),
      max_block_readings_(max_block_readings),
      producer_(env.node_name()),
      head_hash_(kGenesisPrevHash),
      blocks_committed_(env.metrics().counter("blocks_committed", "Blocks appended to the ledger")),
      readings_committed_(
          env.metrics().counter("readings_committed", "Readings in appended blocks")),
      append_failures_(env.metrics().counter("block_append_failures",
                                             "Block appends the store refused (readings kept)")),
      height_(env.metrics().gauge("height", "Height of the last committed block")),
      last_block_latency_(env.metrics().gauge(
          "last_block_latency_seconds", "Commit time minus the oldest sample in the last block")),
      pending_readings_(
          env.metrics().gauge("pending_readings", "Readings waiting for the next block")) {}

Status BlockCutter::resume(LedgerStore* store) {
  std::lock_guard lock(commit_mu_);
  if (store == nullptr) {
    return Status::FailedPrecondition("solo: no running plugin provides " +
                                      std::string(LedgerStore::kServiceName));
  }
  auto head = store->head();
  if (!head.ok()) return head.status().WithContext("solo: reading the ledger head");
  store_ = store;
  if (head->has_value()) {
    head_height_ = (*head)->header().height();
    head_hash_ = (*head)->hash();
  } else {
    head_height_ = 0;
    head_hash_ = kGenesisPrevHash;
  }
  height_.set(static_cast<double>(head_height_.load()));
  return Status::Ok();
}

void BlockCutter::detach() {
  std::lock_guard lock(commit_mu_);
  store_ = nullptr;
}

std::size_t BlockCutter::add(v1::Reading reading) {
  std::lock_guard lock(pending_mu_);
  pending_.push_back(std::move(reading));
  pending_readings_.set(static_cast<double>(pending_.size()));
  return pending_.size();
}

std::size_t BlockCutter::waiting() const {
  std::lock_guard lock(pending_mu_);
  return pending_.size() + in_block_;
}

void BlockCutter::add_front(std::vector<v1::Reading> readings) {
  std::lock_guard lock(pending_mu_);
  pending_.insert(pending_.begin(), std::make_move_iterator(readings.begin()),
                  std::make_move_iterator(readings.end()));
  pending_readings_.set(static_cast<double>(pending_.size()));
}

std::size_t BlockCutter::pending() const {
  std::lock_guard lock(pending_mu_);
  return pending_.size();
}

std::vector<v1::Reading> BlockCutter::pending_copy() const {
  std::lock_guard lock(pending_mu_);
  return pending_;
}

bool BlockCutter::wait_for_room(std::size_t limit, const std::function<bool()>& release) {
  std::unique_lock lock(pending_mu_);
  bool waited = false;
  while (pending_.size() + in_block_ >= limit && !release()) {
    waited = true;
    room_.wait_for(lock, std::chrono::milliseconds(100));
  }
  return waited;
}

void BlockCutter::wake() {
  std::lock_guard lock(pending_mu_);
  room_.notify_all();
}

Status BlockCutter::cut_full_blocks() {
  while (pending() >= max_block_readings_) ITC_RETURN_IF_ERROR(cut_one());
  return Status::Ok();
}

Status BlockCutter::cut_interval() {
  ITC_RETURN_IF_ERROR(cut_one());
  return cut_full_blocks();
}

Status BlockCutter::cut_all() {
  while (pending() > 0) ITC_RETURN_IF_ERROR(cut_one());
  return Status::Ok();
}

v1::Block BlockCutter::build_block(std::vector<v1::Reading> readings) const {
  v1::Block block;
  block.mutable_readings()->Reserve(static_cast<int>(readings.size()));
  for (auto& r : readings) *block.add_readings() = std::move(r);
  v1::BlockHeader* header = block.mutable_header();
  header->set_height(head_height_.load() + 1);
  header->set_prev_hash(head_hash_);
  header->set_merkle_root(readings_merkle_root(block));
  header->set_tx_root(transactions_root(block));
  header->set_timestamp_us(env_.clock().unix_micros());
  header->set_reading_count(static_cast<std::uint32_t>(block.readings_size()));
  header->set_producer(producer_);
  block.set_hash(block_hash(*header));
  return block;
}

Status BlockCutter::cut_one() {
  std::lock_guard commit(commit_mu_);
  std::vector<v1::Reading> taken;
  {
    std::lock_guard lock(pending_mu_);
    if (pending_.empty()) return Status::Ok();
    const std::size_t n = std::min<std::size_t>(pending_.size(), max_block_readings_);
    if (n == pending_.size()) {
      taken.swap(pending_);
    } else {
      taken.assign(std::make_move_iterator(pending_.begin()),
                   std::make_move_iterator(pending_.begin() + static_cast<std::ptrdiff_t>(n)));
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    in_block_ = taken.size();
    pending_readings_.set(static_cast<double>(pending_.size()));
  }

  v1::Block block = build_block(std::move(taken));
  std::int64_t oldest = std::numeric_limits<std::int64_t>::max();
  for (const auto& r : block.readings()) oldest = std::min(oldest, r.sampled_at_us());

  Status appended = store_ != nullptr
                        ? store_->append(block)
                        : Status::FailedPrecondition("no ledger store (solo is not started)");
  if (!appended.ok()) {
    ++failed_attempts_;
    append_failures_.add();
    const std::uint64_t height = block.header().height();
    const auto count = block.readings_size();
    std::vector<v1::Reading> back;
    back.reserve(static_cast<std::size_t>(count));
    for (auto& r : *block.mutable_readings()) back.push_back(std::move(r));
    {
      std::lock_guard lock(pending_mu_);  // back in front, atomically for wait_for_room()
      in_block_ = 0;
      pending_.insert(pending_.begin(), std::make_move_iterator(back.begin()),
                      std::make_move_iterator(back.end()));
      pending_readings_.set(static_cast<double>(pending_.size()));
    }
    env_.log().warn("solo: block " + std::to_string(height) + " with " + std::to_string(count) +
                    " readings not committed (attempt " + std::to_string(failed_attempts_) +
                    "): " + appended.ToString() + "; the readings are kept for the next block");
    // The store may have moved on (another writer) or be healthy again next time:
    // re-read its head so the next block links to what is really there.
    if (store_ != nullptr) {
      if (auto head = store_->head(); head.ok()) {
        head_height_ = head->has_value() ? (*head)->header().height() : 0;
        head_hash_ = head->has_value() ? (*head)->hash() : kGenesisPrevHash;
      }
    }
    return appended.WithContext("solo");
  }
  failed_attempts_ = 0;
  head_height_ = block.header().height();
  head_hash_ = block.hash();
  publish_committed(block, oldest);
  {
    std::lock_guard lock(pending_mu_);
    in_block_ = 0;
    room_.notify_all();
  }
  return Status::Ok();
}

void BlockCutter::publish_committed(const v1::Block& block, std::int64_t oldest_sample_us) {
  v1::BlockCommitted committed;
  *committed.mutable_header() = block.header();
  committed.set_hash(block.hash());
  committed.set_committed_at_us(env_.clock().unix_micros());
  committed.set_oldest_sample_us(oldest_sample_us);

  blocks_committed_.add();
  readings_committed_.add(static_cast<std::uint64_t>(block.readings_size()));
  height_.set(static_cast<double>(block.header().height()));
  last_block_latency_.set(static_cast<double>(committed.committed_at_us() - oldest_sample_us) /
                          1e6);

  Status s = env_.bus().publish_value(topics::kBlocks, std::move(committed));
  if (!s.ok()) {
    env_.log().error("solo: block " + std::to_string(block.header().height()) +
                     " is committed but could not be announced on " + std::string(topics::kBlocks) +
                     ": " + s.ToString());
  }
}

}  // namespace itc::solo
