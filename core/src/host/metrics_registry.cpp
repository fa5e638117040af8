#include "host/metrics_registry.hpp"

#include <atomic>
#include <charconv>
#include <cmath>
#include <exception>

namespace itc::host {
namespace {

constexpr std::string_view kTotal = "_total";

class AtomicCounter final : public itc::Counter {
 public:
  void add(std::uint64_t n) override { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const override { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class AtomicGauge final : public itc::Gauge {
 public:
  void set(double v) override { v_.store(v, std::memory_order_relaxed); }
  double value() const override { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0.0};
};

bool ends_with_total(std::string_view s) { return s.ends_with(kTotal); }

// Maps any character outside the metric-name alphabet to '_'. `allow_upper_colon` is
// for collector names, which Prometheus allows to use [a-zA-Z_:][a-zA-Z0-9_:]*.
std::string sanitize_name(std::string_view raw, bool allow_upper_colon) {
  std::string out;
  out.reserve(raw.size() + 1);
  for (char c : raw) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
              (allow_upper_colon && ((c >= 'A' && c <= 'Z') || c == ':'));
    out.push_back(ok ? c : '_');
  }
  // Plugin metric names get the "itc_" prefix, so only collector names need this.
  if (allow_upper_colon && (out.empty() || (out[0] >= '0' && out[0] <= '9'))) {
    out.insert(out.begin(), '_');
  }
  return out;
}

std::string counter_family(std::string_view name) {
  std::string f = "itc_" + sanitize_name(name, false);
  if (!ends_with_total(f)) f += kTotal;
  return f;
}

std::string gauge_family(std::string_view name) {
  std::string f = "itc_" + sanitize_name(name, false);
  // "itc__total" would become "itc_"; keep such a degenerate name as it is.
  if (ends_with_total(f) && f.size() > 4 + kTotal.size()) f.resize(f.size() - kTotal.size());
  return f;
}

// HELP text escaping: backslash and newline.
std::string escape_help(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, ec == std::errc() ? end : buf);
  }
}

void append_value(std::string& out, std::uint64_t v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc() ? end : buf);
}

struct Rendered {
  std::string type;
  std::string help;
  std::map<std::string, std::string> lines;  // labels → sample line, sorted
};

}  // namespace

struct MetricsRegistry::Family {
  std::string type;  // "counter" | "gauge"
  std::string help;
  std::map<std::string, std::unique_ptr<AtomicCounter>, std::less<>> counters;  // by plugin
  std::map<std::string, std::unique_ptr<AtomicGauge>, std::less<>> gauges;      // by plugin
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Family& MetricsRegistry::family_locked(std::string name, std::string_view type,
                                                        std::string_view help) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto f = std::make_unique<Family>();
    f->type = std::string(type);
    f->help = std::string(help);
    it = families_.emplace(std::move(name), std::move(f)).first;
  }
  return *it->second;
}

itc::Counter& MetricsRegistry::counter(std::string_view plugin, std::string_view name,
                                       std::string_view help) {
  std::lock_guard lock(mu_);
  Family& f = family_locked(counter_family(name), "counter", help);
  auto it = f.counters.find(plugin);
  if (it == f.counters.end()) {
    it = f.counters.emplace(std::string(plugin), std::make_unique<AtomicCounter>()).first;
  }
  return *it->second;
}

itc::Gauge& MetricsRegistry::gauge(std::string_view plugin, std::string_view name,
                                   std::string_view help) {
  std::lock_guard lock(mu_);
  Family& f = family_locked(gauge_family(name), "gauge", help);
  auto it = f.gauges.find(plugin);
  if (it == f.gauges.end()) {
    it = f.gauges.emplace(std::string(plugin), std::make_unique<AtomicGauge>()).first;
  }
  return *it->second;
}

void MetricsRegistry::add_collector(std::string name, std::string help, std::string type,
                                    std::function<std::vector<Sample>()> fn) {
  std::string family = sanitize_name(name, true);
  if (type == "counter" && !ends_with_total(family)) family += kTotal;
  if (type != "counter" && type != "gauge") type = "untyped";
  std::lock_guard lock(mu_);
  collectors_[family] = Collector{std::move(help), std::move(type), std::move(fn)};
}

std::optional<double> MetricsRegistry::value_of(std::string_view plugin,
                                                std::string_view name) const {
  std::lock_guard lock(mu_);
  if (auto f = families_.find(counter_family(name)); f != families_.end()) {
    if (auto c = f->second->counters.find(plugin); c != f->second->counters.end()) {
      return static_cast<double>(c->second->value());
    }
  }
  if (auto f = families_.find(gauge_family(name)); f != families_.end()) {
    if (auto g = f->second->gauges.find(plugin); g != f->second->gauges.end()) {
      return g->second->value();
    }
  }
  return std::nullopt;
}

std::string MetricsRegistry::label(std::string_view key, std::string_view value) {
  std::string out(key);
  out += "=\"";
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  out += '"';
  return out;
}

std::string MetricsRegistry::render_prometheus() const {
  std::map<std::string, Rendered> out;  // by family name
  std::vector<std::pair<std::string, Collector>> collectors;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, f] : families_) {
      Rendered& r = out[name];
      r.type = f->type;
      r.help = f->help;
      for (const auto& [plugin, c] : f->counters) {
        std::string labels = label("plugin", plugin);
        std::string line = name + "{" + labels + "} ";
        append_value(line, c->value());
        r.lines[labels] = std::move(line);
      }
      for (const auto& [plugin, g] : f->gauges) {
        std::string labels = label("plugin", plugin);
        std::string line = name + "{" + labels + "} ";
        append_value(line, g->value());
        r.lines[labels] = std::move(line);
      }
    }
    collectors.assign(collectors_.begin(), collectors_.end());
  }

  std::string comments;  // problems with collectors, rendered as plain comments
  for (const auto& [name, c] : collectors) {
    std::vector<Sample> samples;
    try {
      samples = c.fn();
    } catch (const std::exception& e) {
      comments += "# collector " + name + " failed: " + escape_help(e.what()) + "\n";
      continue;
    } catch (...) {
      comments += "# collector " + name + " failed with an unknown exception\n";
      continue;
    }
    auto [it, fresh] = out.try_emplace(name);
    Rendered& r = it->second;
    if (fresh) {
      r.type = c.type;
      r.help = c.help;
    } else if (r.type != c.type) {
      comments +=
          "# collector " + name + " skipped: type " + c.type + " clashes with " + r.type + "\n";
      continue;
    }
    for (const Sample& s : samples) {
      std::string line = s.labels.empty() ? name : name + "{" + s.labels + "}";
      line += ' ';
      append_value(line, s.value);
      r.lines[s.labels] = std::move(line);
    }
  }

  std::string text;
  for (const auto& [name, r] : out) {
    text +=
        "# HELP " + name + " " + (r.help.empty() ? "(no help given)" : escape_help(r.help)) + "\n";
    text += "# TYPE " + name + " " + r.type + "\n";
    for (const auto& [labels, line] : r.lines) text += line + "\n";
  }
  return text + comments;
}

}  // namespace itc::host
