// How long a fault test runs, from the environment: ITC_FAULT_ROUNDS (how many faults;
// the ctest uses the test's default, a long run sets e.g. 100) and ITC_FAULT_SEED (the
// schedule's seed; default: drawn from the clock, and printed so a run replays).
#pragma once

#include <QtGlobal>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace itc::testing {

// Reads the variable `name` into `out`: false when unset; anything but digits is fatal
// (a typo must not silently run the default).
inline bool env_number(const char* name, std::uint32_t& out) {
  const char* v = std::getenv(name);
  if (!v || !*v) return false;
  const char* end = v + std::strlen(v);
  auto [p, ec] = std::from_chars(v, end, out);
  if (ec != std::errc() || p != end) qFatal("%s=%s: not a non-negative 32-bit integer", name, v);
  return true;
}

inline int fault_rounds(int fallback) {
  std::uint32_t n = 0;
  if (!env_number("ITC_FAULT_ROUNDS", n)) return fallback;
  if (n == 0 || n > 100000) qFatal("ITC_FAULT_ROUNDS=%u: must be 1..100000", n);
  return static_cast<int>(n);
}

// The schedule's seed, printed so that the run can be replayed.
inline std::uint32_t fault_seed() {
  std::uint32_t seed = 0;
  if (!env_number("ITC_FAULT_SEED", seed)) {
    seed = static_cast<std::uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count() &
                                      0xffffffffu);
  }
  qInfo("seed %u (ITC_FAULT_SEED=%u replays this schedule of faults)", seed, seed);
  return seed;
}

}  // namespace itc::testing
