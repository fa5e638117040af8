#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "host/metrics_registry.hpp"

namespace itc::node {
namespace {
constexpr const char* kFleetPlugin = "sim-lighting";
constexpr const char* kSoloPlugin = "solo";
constexpr const char* kPbftPlugin = "pbft";
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

std::optional<double> ProgressLine::rate(std::optional<double> total, Rate& r, double secs) {
  std::optional<double> out;
  if (total && r.last && secs > 0) out = std::max(0.0, (*total - *r.last) / secs);
  r.last = total;
  return out;
}

std::string ProgressLine::sample(std::chrono::steady_clock::time_point now) {
  const double secs = last_at_ == std::chrono::steady_clock::time_point{}
                          ? 0.0
                          : std::chrono::duration<double>(now - last_at_).count();
  last_at_ = now;
  const bool pbft = metrics_.value_of(kPbftPlugin, "view").has_value();
  const char* ledger = pbft ? kPbftPlugin : kSoloPlugin;
  const auto lamps = metrics_.value_of(kFleetPlugin, "lamps");
  const auto readings = rate(metrics_.value_of(ledger, "readings_committed"), readings_, secs);
  const auto height = metrics_.value_of(ledger, "height");
  const auto latency = metrics_.value_of(ledger, "last_block_latency_seconds");
  const std::string latency_text =
      latency ? group_thousands(*latency * 1000.0) + " ms" : std::string("-");

  std::string line = node_name_;
  if (pbft) {
    const auto view = metrics_.value_of(kPbftPlugin, "view");
    const auto primary = metrics_.value_of(kPbftPlugin, "is_primary");
    const auto peers = metrics_.value_of(kPbftPlugin, "peers_connected");
    const auto txs = rate(metrics_.value_of(kPbftPlugin, "txs_committed"), txs_, secs);
    line += " | height " + group_thousands(height);
    line += " | view " + group_thousands(view) + (primary && *primary > 0 ? " (primary)" : "");
    line += " | peers " + group_thousands(peers);
    line += " | tx/s " + group_thousands(txs);
    line += " | readings/s " + group_thousands(readings);
    line += " | commit latency " + latency_text;
    if (lamps) line += " | lamps " + group_thousands(lamps);
    return line;
  }
  const auto blocks = metrics_.value_of(kSoloPlugin, "blocks_committed");
  line += " | lamps " + group_thousands(lamps);
  line += " | readings/s " + group_thousands(readings);
  line += " | blocks " + group_thousands(blocks) + " (height " + group_thousands(height) + ")";
  line += " | last block " + latency_text;
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
