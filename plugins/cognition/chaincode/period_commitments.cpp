// Per device, metric and period sums turned into Pedersen commitments (see
// period_commitments.hpp).
#include "period_commitments.hpp"

#include <stdexcept>

namespace itc::analytics {
namespace {
constexpr std::int64_t kMicrosPerSecond = 1'000'000;
}  // namespace

PeriodCommitments::PeriodCommitments(std::uint32_t period_s, int decimals)
    : period_us_(std::int64_t{period_s == 0 ? 1 : period_s} * kMicrosPerSecond),
      decimals_(decimals) {}

Status PeriodCommitments::add(const v1::Reading& reading) {
  if (reading.device_id().empty()) return Status::InvalidArgument("reading: device_id is empty");
  if (reading.metric().empty()) return Status::InvalidArgument("reading: metric is empty");
  if (reading.sampled_at_us() < 0) {
    return Status::InvalidArgument("reading of " + reading.device_id() +
                                   ": sampled_at_us is negative");
  }
  auto scaled = scale_reading(reading.value(), decimals_);
  if (!scaled.ok()) return scaled.status().WithContext("reading of " + reading.device_id());
  const std::int64_t start = reading.sampled_at_us() - reading.sampled_at_us() % period_us_;
  if (start < closed_before_us_) {
    return Status::InvalidArgument("reading of " + reading.device_id() + " " + reading.metric() +
                                   " at " + std::to_string(reading.sampled_at_us()) +
                                   " us: its period " + std::to_string(start) +
                                   " is closed and committed");
  }
  Sum& sum = open_[Key{start, reading.device_id(), reading.metric()}];
  std::int64_t total = 0;
  if (__builtin_add_overflow(sum.value, *scaled, &total)) {
    return Status::InvalidArgument("reading of " + reading.device_id() + " " + reading.metric() +
                                   ": the period's sum would leave int64");
  }
  sum.value = total;
  ++sum.count;
  return Status::Ok();
}

std::vector<CommittedPeriod> PeriodCommitments::close_until(std::int64_t now_us) {
  std::vector<CommittedPeriod> closed;
  auto it = open_.begin();
  while (it != open_.end() && std::get<0>(it->first) + period_us_ <= now_us) {
    const auto& [start, device, metric] = it->first;
    CommittedPeriod c;
    c.opening = new_opening(it->second.value);
    auto point = commit(c.opening);
    if (!point.ok()) throw std::runtime_error(point.status().ToString());  // a fresh r is valid
    c.commitment.set_device_id(device);
    c.commitment.set_metric(metric);
    c.commitment.set_period_start_us(start);
    c.commitment.set_count(it->second.count);
    c.commitment.set_decimals(static_cast<std::uint32_t>(decimals_));
    c.commitment.set_commitment(std::move(*point));
    closed.push_back(std::move(c));
    it = open_.erase(it);
  }
  if (now_us - now_us % period_us_ > closed_before_us_) {
    closed_before_us_ = now_us - now_us % period_us_;
  }
  return closed;
}

}  // namespace itc::analytics
