// MetricsRegistry: every metric of a node, rendered for Prometheus at /metrics.
//
// Plugin metrics are owned here, not by the plugin, so they survive a hot swap: the new
// version of a plugin asking for the same name gets the same object. They render as
// itc_<name>{plugin="<plugin>"}; a counter's family name gets the `_total` suffix if it
// lacks one, a gauge's loses it (Prometheus reserves `_total` for counters), so that
// counter("x") and counter("x_total") are one series. Characters outside [a-z0-9_] in
// a name become '_' (the SDK asks plugins for [a-z_][a-z0-9_]*).
//
// Collectors add series computed at scrape time (bus statistics, plugin states).
//
// Thread safety: all methods may be called from any thread. Collectors are called
// without the registry's lock held, so a collector may itself use the registry.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "itc/host_env.hpp"

namespace itc::host {

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Stable addresses for the registry's life; same (plugin, name) → same object. The
  // first help text given for a family is the one rendered.
  itc::Counter& counter(std::string_view plugin, std::string_view name, std::string_view help);
  itc::Gauge& gauge(std::string_view plugin, std::string_view name, std::string_view help);

  // One series of a collector. `labels` is the inside of the braces, already escaped,
  // e.g. R"(topic="device.readings")" (build it with label()); empty for no labels.
  struct Sample {
    std::string labels;
    double value;
  };
  // Adds (or, for a name already added, replaces) a family computed at scrape time.
  // `name` is the full family name (e.g. "itc_bus_published"); `type` is "counter" or
  // "gauge" (anything else renders as "untyped"). A counter's name gets `_total`.
  void add_collector(std::string name, std::string help, std::string type,
                     std::function<std::vector<Sample>()> fn);

  // The current value of a plugin metric, counters first; nullopt if it was never made.
  std::optional<double> value_of(std::string_view plugin, std::string_view name) const;

  // Text exposition format 0.0.4: families sorted by name, HELP and TYPE once each.
  std::string render_prometheus() const;

  // `key="value"` with the value escaped for the exposition format.
  static std::string label(std::string_view key, std::string_view value);

 private:
  struct Family;
  struct Collector {
    std::string help;
    std::string type;
    std::function<std::vector<Sample>()> fn;
  };
  Family& family_locked(std::string name, std::string_view type, std::string_view help);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;  // by full name
  std::map<std::string, Collector, std::less<>> collectors_;              // by full name
};

// The HostEnv Metrics a plugin sees: the registry, with the plugin's name filled in.
class PluginMetrics final : public itc::Metrics {
 public:
  PluginMetrics(MetricsRegistry& registry, std::string plugin)
      : registry_(registry), plugin_(std::move(plugin)) {}
  itc::Counter& counter(std::string_view name, std::string_view help) override {
    return registry_.counter(plugin_, name, help);
  }
  itc::Gauge& gauge(std::string_view name, std::string_view help) override {
    return registry_.gauge(plugin_, name, help);
  }

 private:
  MetricsRegistry& registry_;
  std::string plugin_;
};

}  // namespace itc::host
