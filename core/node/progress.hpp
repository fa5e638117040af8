// ProgressLine: the one-line live status `itc-node --progress` prints every second. A
// PBFT validator:
//   validator-0 | height 456 | view 0 (primary) | peers 3 | tx/s 310 | readings/s 4,012 |
//   commit latency 12 ms | lamps 250
// A single node with solo:
//   node-1 | lamps 1000 | readings/s 4,012 | blocks 123 (height 456) | last block 212 ms
// Values come from the plugins' metrics (sim-lighting: lamps; pbft or solo:
// readings_committed, height, last_block_latency_seconds; pbft: view, is_primary,
// peers_connected, txs_committed); "-" where a plugin is absent.
// Thread safety: one ProgressLine is used by one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace itc::host {
class MetricsRegistry;
}

namespace itc::node {

// "4,012" for 4012; "-" for nullopt.
std::string group_thousands(std::optional<double> value);

class ProgressLine {
 public:
  ProgressLine(std::string node_name, const host::MetricsRegistry& metrics);

  // The status line now. `now` is monotonic time; readings/s is the rate since the
  // previous call ("-" on the first call or without the solo plugin).
  std::string sample(std::chrono::steady_clock::time_point now);

 private:
  struct Rate {
    std::optional<double> last;
  };
  // Per-second rate of a counter since the previous sample.
  static std::optional<double> rate(std::optional<double> total, Rate& r, double secs);

  std::string node_name_;
  const host::MetricsRegistry& metrics_;
  Rate readings_;
  Rate txs_;
  std::chrono::steady_clock::time_point last_at_{};
};

// Writes status lines to stderr: rewritten in place on a terminal, one per line otherwise.
class StatusWriter {
 public:
  StatusWriter();
  void show(const std::string& line);
  // Ends an in-place line so following output starts on a fresh line.
  void finish();

 private:
  bool tty_;
  bool dirty_ = false;
};

}  // namespace itc::node
