// The workload of the kill test: block h and its state delta, a pure function of h, so
// the killed writer (store_crash_writer) and the test that checks what survived agree on
// what each acknowledged height must have left behind.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ledger_fixtures.hpp"

namespace itc::test::crash {

inline constexpr int kReadingsPerBlock = 400;
inline constexpr int kEntriesPerDelta = 200;

inline v1::Block block(std::uint64_t height, const std::string& prev_hash) {
  return make_block(height, prev_hash, kReadingsPerBlock,
                    static_cast<int>(height) * kReadingsPerBlock);
}

// Writes a rotating window of keys, overwrites a counter, and deletes a key written some
// blocks earlier: a half-applied delta would show in any of them.
inline v1::StateDelta delta(std::uint64_t height) {
  v1::StateDelta d;
  for (int i = 0; i < kEntriesPerDelta; ++i) {
    auto* e = d.add_entries();
    e->set_key("k/" + std::to_string((height * 7 + static_cast<std::uint64_t>(i)) % 1009));
    e->set_value("h" + std::to_string(height) + "/" + std::to_string(i));
  }
  auto* counter = d.add_entries();
  counter->set_key("counter");
  counter->set_value(std::to_string(height));
  auto* erase = d.add_entries();
  erase->set_key("k/" + std::to_string((height * 13) % 1009));
  erase->set_value("");
  return d;
}

// The state after blocks 1..height.
inline std::map<std::string, std::string> state_after(std::uint64_t height) {
  std::map<std::string, std::string> state;
  for (std::uint64_t h = 1; h <= height; ++h) {
    const v1::StateDelta d = delta(h);
    for (const auto& e : d.entries()) {
      if (e.value().empty()) {
        state.erase(e.key());
      } else {
        state[e.key()] = e.value();
      }
    }
  }
  return state;
}

}  // namespace itc::test::crash
