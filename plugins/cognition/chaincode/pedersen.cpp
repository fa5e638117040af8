#include "pedersen.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <optional>
#include <thread>
#include <vector>

namespace itc::analytics {

Result<std::int64_t> scale_reading(double value, int decimals) {
  if (!std::isfinite(value))
    return Status::InvalidArgument("value: " + std::to_string(value) + " is not a finite number");
  if (decimals < 0 || decimals > 9)
    return Status::InvalidArgument("decimals: 0..9, got " + std::to_string(decimals));
  const double scaled = std::round(value * std::pow(10.0, decimals));
  // 2^63 is exactly representable; every double below it in magnitude fits an int64.
  if (!(std::fabs(scaled) < 9223372036854775808.0))
    return Status::InvalidArgument("value: " + std::to_string(value) + " at " +
                                   std::to_string(decimals) + " decimals does not fit 63 bits");
  return static_cast<std::int64_t>(scaled);
}

Opening new_opening(std::int64_t value) {
  return {value, p256::scalar_bytes(p256::random_scalar().get())};
}

Result<std::string> commit(const Opening& opening) {
  auto r = p256::scalar_from_bytes(opening.blinding, "blinding");
  if (!r.ok()) return r.status();
  const auto& g = p256::group();
  const auto v = p256::scalar_from_int64(opening.value);
  auto c = p256::new_point();
  auto ctx = p256::new_ctx();
  p256::check(EC_POINT_mul(g.curve, c.get(), v.get(), g.h, r->get(), ctx.get()), "EC_POINT_mul");
  return p256::encode(c.get());
}

Status open(std::string_view commitment, const Opening& opening) {
  auto c = p256::decode(commitment, "commitment");
  if (!c.ok()) return c.status();
  auto expected = commit(opening);
  if (!expected.ok()) return expected.status();
  if (p256::encode(c->get()) != *expected)
    return Status::PermissionDenied("commitment does not open to " + std::to_string(opening.value) +
                                    " with this blinding");
  return Status::Ok();
}

namespace {

// ΣC_i over commitments[first, first + count), each named by its index in the whole.
Result<p256::Point> sum_range(std::span<const std::string> commitments, std::size_t first,
                              std::size_t count) {
  const auto& g = p256::group();
  auto ctx = p256::new_ctx();
  auto sum = p256::new_point();
  p256::check(EC_POINT_set_to_infinity(g.curve, sum.get()), "EC_POINT_set_to_infinity");
  auto c = p256::new_point();
  for (std::size_t i = first; i < first + count; ++i) {
    if (Status s = p256::decode_into(commitments[i], c.get(), ctx.get()); !s.ok())
      return s.WithContext("commitments[" + std::to_string(i) + "]");
    p256::check(EC_POINT_add(g.curve, sum.get(), sum.get(), c.get(), ctx.get()), "EC_POINT_add");
  }
  return sum;
}

}  // namespace

Result<p256::Point> sum_points(std::span<const std::string> commitments, unsigned threads) {
  constexpr std::size_t kMinShare = 4096;
  const std::size_t parts =
      std::clamp<std::size_t>(commitments.size() / kMinShare, 1, std::max(threads, 1u));
  if (parts == 1) return sum_range(commitments, 0, commitments.size());
  const std::size_t share = (commitments.size() + parts - 1) / parts;
  std::vector<std::optional<Result<p256::Point>>> sums(parts);
  std::vector<std::exception_ptr> failures(parts);
  auto run = [&](std::size_t part) {
    try {
      const std::size_t first = part * share;
      sums[part].emplace(
          sum_range(commitments, first, std::min(share, commitments.size() - first)));
    } catch (...) {
      failures[part] = std::current_exception();
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t part = 1; part < parts; ++part) workers.emplace_back(run, part);
  run(0);
  for (auto& w : workers) w.join();
  for (const auto& f : failures)
    if (f) std::rethrow_exception(f);
  const auto& g = p256::group();
  auto ctx = p256::new_ctx();
  for (auto& s : sums)
    if (!s->ok()) return s->status();
  auto total = std::move(sums[0]->value());
  for (std::size_t part = 1; part < parts; ++part)
    p256::check(
        EC_POINT_add(g.curve, total.get(), total.get(), sums[part]->value().get(), ctx.get()),
        "EC_POINT_add");
  return total;
}

Result<std::string> add_commitments(std::span<const std::string> commitments) {
  auto sum = sum_points(commitments);
  if (!sum.ok()) return sum.status();
  return p256::encode(sum->get());
}

Result<Opening> add_openings(std::span<const Opening> openings) {
  const auto& g = p256::group();
  auto ctx = p256::new_ctx();
  auto r = p256::new_bn();
  BN_zero(r.get());
  std::int64_t v = 0;
  for (std::size_t i = 0; i < openings.size(); ++i) {
    if (__builtin_add_overflow(v, openings[i].value, &v))
      return Status::InvalidArgument("openings[" + std::to_string(i) +
                                     "]: the sum of values overflows 64 bits");
    auto ri = p256::scalar_from_bytes(openings[i].blinding,
                                      "openings[" + std::to_string(i) + "].blinding");
    if (!ri.ok()) return ri.status();
    p256::check(BN_mod_add(r.get(), r.get(), ri->get(), g.order, ctx.get()), "BN_mod_add");
  }
  return Opening{v, p256::scalar_bytes(r.get())};
}

v1::PedersenOpening to_proto(const Opening& opening) {
  v1::PedersenOpening out;
  out.set_value(opening.value);
  out.set_blinding(opening.blinding);
  return out;
}

Result<Opening> from_proto(const v1::PedersenOpening& opening) {
  auto r = p256::scalar_from_bytes(opening.blinding(), "blinding");
  if (!r.ok()) return r.status();
  return Opening{opening.value(), opening.blinding()};
}

}  // namespace itc::analytics
