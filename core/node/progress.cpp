#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "host/metrics_registry.hpp"

namespace itc::node {
namespace {
constexpr const char* kFleetPlugin = "sim-lighting";
constexpr const char* kLedgerPlugin = "solo";
}  // namespace

std::string group_thousands(std::optional<double> value) {
  if (!value || !std::isfinite(*value)) return "-";
  const bool negative = *value < 0;
  std::string digits = std::to_string(static_cast<std::uint64_t>(std::llround(std::fabs(*value))));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return negative ? "-" + out : out;
}

ProgressLine::ProgressLine(std::string node_name, const host::MetricsRegistry& metrics)
    : node_name_(std::move(node_name)), metrics_(metrics) {}

std::string ProgressLine::sample(std::chrono::steady_clock::time_point now) {
  const auto lamps = metrics_.value_of(kFleetPlugin, "lamps");
  const auto readings = metrics_.value_of(kLedgerPlugin, "readings_committed");
  const auto blocks = metrics_.value_of(kLedgerPlugin, "blocks_committed");
  const auto height = metrics_.value_of(kLedgerPlugin, "height");
  const auto latency = metrics_.value_of(kLedgerPlugin, "last_block_latency_seconds");

  std::optional<double> rate;
  if (readings && last_readings_) {
    const double secs = std::chrono::duration<double>(now - last_at_).count();
    if (secs > 0) rate = std::max(0.0, (*readings - *last_readings_) / secs);
  }
  last_readings_ = readings;
  last_at_ = now;

  std::string line = node_name_;
  line += " | lamps " + group_thousands(lamps);
  line += " | readings/s " + group_thousands(rate);
  line += " | blocks " + group_thousands(blocks) + " (height " + group_thousands(height) + ")";
  line += " | last block " + (latency ? group_thousands(*latency * 1000.0) + " ms" : std::string("-"));
  return line;
}

StatusWriter::StatusWriter() : tty_(::isatty(STDERR_FILENO) == 1) {}

void StatusWriter::show(const std::string& line) {
  if (tty_) {
    std::fprintf(stderr, "\r%s\x1b[K", line.c_str());  // rewrite, clear the rest
    dirty_ = true;
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void StatusWriter::finish() {
  if (tty_ && dirty_) std::fputs("\n", stderr);
  dirty_ = false;
}

}  // namespace itc::node
