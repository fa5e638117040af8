#include "parameters.hpp"

#include <set>
#include <string>

namespace itc::dag {
namespace {

void add_level(v1::DagParameters* p, const char* name, v1::SecurityLevel base,
               v1::SecurityLevel staked, std::uint64_t threshold) {
  auto* l = p->add_levels();
  l->set_device_class(name);
  *l->mutable_base() = std::move(base);
  *l->mutable_staked() = std::move(staked);
  l->set_stake_threshold(threshold);
}

v1::SecurityLevel level(std::uint32_t bits, double rate, std::uint32_t burst) {
  v1::SecurityLevel l;
  l.set_pow_bits(bits);
  l.set_rate_per_s(rate);
  l.set_burst(burst);
  return l;
}

Status check_level(const v1::SecurityLevel& l, const std::string& where) {
  if (l.pow_bits() > 64) return Status::InvalidArgument(where + ".pow_bits: at most 64");
  if (!(l.rate_per_s() > 0)) return Status::InvalidArgument(where + ".rate_per_s: must be > 0");
  if (l.burst() == 0) return Status::InvalidArgument(where + ".burst: must be > 0");
  return Status::Ok();
}

}  // namespace

v1::DagParameters default_parameters() {
  v1::DagParameters p;
  // A lamp: 2^12 SHA-256 tries on average (README.md: cost at 80 MHz), one transaction a
  // second; staked 2^8.
  add_level(&p, "lamp", level(12, 1, 10), level(8, 10, 50), 1000);
  add_level(&p, "sensor", level(12, 0.2, 5), level(8, 2, 20), 1000);
  // A gateway bundles up to 1,024 readings per transaction and runs on a CPU.
  add_level(&p, "gateway", level(16, 100, 200), level(12, 1000, 2000), 100000);
  p.set_below_max_depth(15);
  p.set_max_delta_youngest_root(8);
  p.set_max_delta_oldest_root(13);
  p.set_issue_window_past_us(300'000'000);
  p.set_issue_window_future_us(30'000'000);
  p.set_tip_max_approvers(2);
  p.set_tip_max_age_us(3'000'000);
  p.set_max_tips(100);
  p.set_solidification_capacity(10'000);
  p.set_max_rate_issuers(100'000);
  p.set_milestones_retained(1'000);
  return p;
}

Status check_parameters(const v1::DagParameters& p) {
  std::set<std::string> names;
  for (int i = 0; i < p.levels_size(); ++i) {
    const auto& l = p.levels(i);
    const std::string where = "levels[" + std::to_string(i) + "]";
    if (l.device_class().empty())
      return Status::InvalidArgument(where + ".device_class: must not be empty");
    if (!names.insert(l.device_class()).second)
      return Status::InvalidArgument(where + ".device_class: \"" + l.device_class() +
                                     "\" listed twice");
    ITC_RETURN_IF_ERROR(check_level(l.base(), where + ".base"));
    ITC_RETURN_IF_ERROR(check_level(l.staked(), where + ".staked"));
  }
  if (p.below_max_depth() == 0) return Status::InvalidArgument("below_max_depth: must be > 0");
  if (p.max_delta_youngest_root() > p.below_max_depth())
    return Status::InvalidArgument("max_delta_youngest_root: at most below_max_depth");
  if (p.max_delta_oldest_root() > p.below_max_depth())
    return Status::InvalidArgument("max_delta_oldest_root: at most below_max_depth");
  if (p.issue_window_past_us() <= 0)
    return Status::InvalidArgument("issue_window_past_us: must be > 0");
  if (p.issue_window_future_us() <= 0)
    return Status::InvalidArgument("issue_window_future_us: must be > 0");
  if (p.tip_max_approvers() == 0) return Status::InvalidArgument("tip_max_approvers: must be > 0");
  if (p.tip_max_age_us() <= 0) return Status::InvalidArgument("tip_max_age_us: must be > 0");
  if (p.max_tips() == 0) return Status::InvalidArgument("max_tips: must be > 0");
  if (p.solidification_capacity() == 0)
    return Status::InvalidArgument("solidification_capacity: must be > 0");
  if (p.max_rate_issuers() == 0) return Status::InvalidArgument("max_rate_issuers: must be > 0");
  if (p.milestones_retained() == 0)
    return Status::InvalidArgument("milestones_retained: must be > 0");
  return Status::Ok();
}

const v1::SecurityLevel* security_level(const v1::DagParameters& params,
                                        std::string_view device_class, std::uint64_t stake) {
  for (const auto& l : params.levels()) {
    if (l.device_class() != device_class) continue;
    return stake >= l.stake_threshold() ? &l.staked() : &l.base();
  }
  return nullptr;
}

}  // namespace itc::dag
