// acme-lux-meter: a small conversion-layer plugin from a third-party vendor, built out of
// tree against the installed IoT Chain SDK. It counts the readings on topics::kReadings
// per metric (only `metric_filter`'s metric when one is set) and shows the total as the
// gauge itc_readings_seen{plugin="<instance name>"}. The counts move to the successor in
// a hot swap as versioned state ("acme.lux_meter.Counts" v1).
//
// Threading: the bus calls on_reading() on the subscription's thread; the host calls the
// lifecycle methods from one thread at a time. counts_ is guarded by mutex_.
#include <cctype>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "itc/abi.hpp"
#include "itc/bus.hpp"
#include "itc/plugin.hpp"
#include "itc/v1/device.pb.h"
#include "lux_meter.pb.h"

namespace acme::lux_meter {
namespace {

constexpr std::size_t kMaxFilterLength = 64;
constexpr std::string_view kStateType = "acme.lux_meter.Counts";
constexpr std::uint32_t kStateVersion = 1;

// Parses and checks the serialized Config. Errors start with the field's name, which the
// host turns into file:line:column: plugins[i].config.<field>.
itc::Result<Config> parse_config(std::string_view bytes) {
  Config config;
  if (!config.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return itc::Status::InvalidArgument("config: not a valid acme.lux_meter.Config message");
  }
  const std::string& filter = config.metric_filter();
  if (filter.size() > kMaxFilterLength) {
    return itc::Status::InvalidArgument("metric_filter: at most " +
                                        std::to_string(kMaxFilterLength) + " characters, got " +
                                        std::to_string(filter.size()));
  }
  for (unsigned char c : filter) {
    if (std::isspace(c) || std::iscntrl(c)) {
      return itc::Status::InvalidArgument(
          "metric_filter: a metric name has no whitespace or control characters, got \"" + filter +
          "\"");
    }
  }
  return config;
}

class LuxMeterPlugin final : public itc::Plugin {
 public:
  itc::Status validate_config(std::string_view config) const noexcept override {
    try {
      auto parsed = parse_config(config);
      return parsed.ok() ? itc::Status::Ok() : parsed.status();
    } catch (const std::exception& e) {
      return itc::Status::Internal(std::string("acme-lux-meter: validate_config: ") + e.what());
    }
  }

  itc::Status initialise(itc::HostEnv& env, std::string_view config) noexcept override {
    try {
      auto parsed = parse_config(config);
      if (!parsed.ok()) return parsed.status();
      env_ = &env;
      filter_ = parsed->metric_filter();
      seen_ = &env.metrics().gauge("readings_seen", "Readings counted by acme-lux-meter");
      // Subscribing here (not in start) means no reading published meanwhile is missed.
      return env.bus().subscribe<itc::v1::Reading>(
          itc::topics::kReadings, [this](const itc::v1::Reading& r) { on_reading(r); });
    } catch (const std::exception& e) {
      return itc::Status::Internal(std::string("acme-lux-meter: initialise: ") + e.what());
    }
  }

  itc::Status start() noexcept override {
    try {
      env_->log().info("acme-lux-meter: counting " +
                       (filter_.empty() ? std::string("every metric") : "metric " + filter_));
      return itc::Status::Ok();
    } catch (const std::exception& e) {
      return itc::Status::Internal(std::string("acme-lux-meter: start: ") + e.what());
    }
  }

  // Nothing is in flight (the plugin publishes nothing); reports what it has counted.
  itc::Status drain() noexcept override {
    try {
      env_->log().info("acme-lux-meter: drained; " + summary());
      return itc::Status::Ok();
    } catch (const std::exception& e) {
      return itc::Status::Internal(std::string("acme-lux-meter: drain: ") + e.what());
    }
  }

  itc::Status export_state(itc::v1::PluginState* out) noexcept override {
    try {
      out->Clear();
      Counts counts;
      {
        std::lock_guard lock(mutex_);
        for (const auto& [metric, n] : counts_) (*counts.mutable_seen_by_metric())[metric] = n;
      }
      out->set_type(std::string(kStateType));
      out->set_version(kStateVersion);
      if (!counts.SerializeToString(out->mutable_data())) {
        return itc::Status::Internal("acme-lux-meter: counts cannot be serialized");
      }
      return itc::Status::Ok();
    } catch (const std::exception& e) {
      return itc::Status::Internal(std::string("acme-lux-meter: export_state: ") + e.what());
    }
  }

  itc::Status import_state(const itc::v1::PluginState& state) noexcept override {
    try {
      if (state.type().empty()) return itc::Status::Ok();  // predecessor had no state
      if (state.type() != kStateType || state.version() != kStateVersion) {
        return itc::Status::Incompatible("acme-lux-meter imports state " + std::string(kStateType) +
                                         " v" + std::to_string(kStateVersion) + ", not " +
                                         state.type() + " v" + std::to_string(state.version()));
      }
      Counts counts;
      if (!counts.ParseFromString(state.data())) {
        return itc::Status::InvalidArgument(
            "acme-lux-meter: state data is not a valid acme.lux_meter.Counts");
      }
      std::uint64_t imported = 0;
      {
        std::lock_guard lock(mutex_);
        for (const auto& [metric, n] : counts.seen_by_metric()) {
          counts_[metric] += n;
          imported += n;
        }
        publish_total_locked();
      }
      env_->log().info("acme-lux-meter: imported " + std::to_string(imported) +
                       " readings seen from the predecessor");
      return itc::Status::Ok();
    } catch (const std::exception& e) {
      return itc::Status::Internal(std::string("acme-lux-meter: import_state: ") + e.what());
    }
  }

  // The host removes the bus subscription; there is nothing else to release.
  void stop() noexcept override {}

 private:
  void on_reading(const itc::v1::Reading& reading) {
    if (!filter_.empty() && reading.metric() != filter_) return;
    std::lock_guard lock(mutex_);
    ++counts_[reading.metric()];
    publish_total_locked();
  }

  void publish_total_locked() {
    std::uint64_t total = 0;
    for (const auto& [metric, n] : counts_) total += n;
    seen_->set(static_cast<double>(total));
  }

  // "1234 readings seen (power: 1234)".
  std::string summary() {
    std::lock_guard lock(mutex_);
    std::uint64_t total = 0;
    std::string per_metric;
    for (const auto& [metric, n] : counts_) {
      total += n;
      per_metric += (per_metric.empty() ? "" : ", ") + metric + ": " + std::to_string(n);
    }
    return std::to_string(total) + " readings seen" +
           (per_metric.empty() ? "" : " (" + per_metric + ")");
  }

  itc::HostEnv* env_ = nullptr;
  itc::Gauge* seen_ = nullptr;
  std::string filter_;
  std::mutex mutex_;
  std::map<std::string, std::uint64_t> counts_;  // metric -> readings seen
};

}  // namespace
}  // namespace acme::lux_meter

// ACME_LUX_METER_VERSION comes from CMakeLists.txt (the project's version by default).
ITC_PLUGIN(acme::lux_meter::LuxMeterPlugin, "acme-lux-meter", ACME_LUX_METER_VERSION, "conversion",
           "acme.lux_meter.Config", /*provides=*/"", /*requires=*/"")
