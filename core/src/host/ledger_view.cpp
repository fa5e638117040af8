// See ledger_view.hpp.
#include "host/ledger_view.hpp"

#include <algorithm>

namespace itc::host {

void LedgerView::on_reading(const v1::Reading& reading) {
  std::lock_guard lock(mu_);
  recent_.push_back(reading);
  if (recent_.size() > kRecentReadings) recent_.pop_front();
}

void LedgerView::on_block(const v1::BlockCommitted& block) {
  {
    std::lock_guard lock(mu_);
    head_ = block;
  }
  committed_tx_.fetch_add(block.header().tx_count());
  committed_readings_.fetch_add(block.header().reading_count());
}

std::vector<v1::Reading> LedgerView::recent(std::size_t max) const {
  std::lock_guard lock(mu_);
  const std::size_t n = std::min(max, recent_.size());
  return {recent_.end() - static_cast<std::ptrdiff_t>(n), recent_.end()};
}

std::optional<v1::BlockCommitted> LedgerView::head() const {
  std::lock_guard lock(mu_);
  return head_;
}

}  // namespace itc::host
