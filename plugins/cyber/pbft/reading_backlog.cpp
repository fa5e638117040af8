#include "reading_backlog.hpp"

#include "replica.hpp"

namespace itc::pbft {

std::size_t ReadingBacklog::add(const v1::Reading& reading) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = seq_of_.emplace(reading_key(reading), next_seq_);
  if (inserted) {
    entries_.emplace(next_seq_, Entry{reading, false, {}});
    fresh_.push_back(next_seq_++);
  }
  return entries_.size();
}

std::vector<v1::Reading> ReadingBacklog::take_new(std::chrono::nanoseconds now) {
  std::lock_guard lock(mu_);
  std::vector<v1::Reading> out;
  out.reserve(fresh_.size());
  for (std::uint64_t seq : fresh_) {
    auto it = entries_.find(seq);
    if (it == entries_.end()) continue;
    it->second.submitted = now;
    out.push_back(it->second.reading);
  }
  fresh_.clear();
  return out;
}

std::vector<v1::Reading> ReadingBacklog::take_unordered(std::chrono::nanoseconds now,
                                                        std::chrono::nanoseconds older_than) {
  std::lock_guard lock(mu_);
  std::vector<v1::Reading> out;
  for (auto& [seq, e] : entries_) {
    if (e.ordered || e.submitted.count() == 0 || now - e.submitted < older_than) continue;
    e.submitted = now;
    out.push_back(e.reading);
  }
  return out;
}

void ReadingBacklog::ordered(const v1::Block& block) {
  std::lock_guard lock(mu_);
  for (const auto& r : block.readings()) {
    auto it = seq_of_.find(reading_key(r));
    if (it != seq_of_.end()) entries_[it->second].ordered = true;
  }
}

std::size_t ReadingBacklog::stored(const v1::Block& block) {
  std::size_t removed = 0;
  {
    std::lock_guard lock(mu_);
    for (const auto& r : block.readings()) {
      auto it = seq_of_.find(reading_key(r));
      if (it == seq_of_.end()) continue;
      entries_.erase(it->second);
      seq_of_.erase(it);
      ++removed;
    }
  }
  if (removed > 0) room_.notify_all();
  return removed;
}

std::vector<v1::Reading> ReadingBacklog::snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<v1::Reading> out;
  out.reserve(entries_.size());
  for (const auto& [seq, e] : entries_) out.push_back(e.reading);
  return out;
}

std::size_t ReadingBacklog::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::uint64_t ReadingBacklog::last_arrival() const {
  std::lock_guard lock(mu_);
  return next_seq_ - 1;
}

bool ReadingBacklog::holds_any_up_to(std::uint64_t arrival) const {
  std::lock_guard lock(mu_);
  return !entries_.empty() && entries_.begin()->first <= arrival;
}

void ReadingBacklog::wait_for_room(std::size_t limit, const std::function<bool()>& release) {
  std::unique_lock lock(mu_);
  while (entries_.size() >= limit && !release()) {
    room_.wait_for(lock, std::chrono::milliseconds(100));
  }
}

void ReadingBacklog::wake() {
  std::lock_guard lock(mu_);
  room_.notify_all();
}

}  // namespace itc::pbft
