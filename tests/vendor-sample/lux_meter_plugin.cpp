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

#include "itc/abi.hpp"
#include "itc/bus.hpp"
#include "itc/typed_plugin.hpp"
#include "itc/v1/device.pb.h"
#include "lux_meter.pb.h"

namespace acme::lux_meter {
namespace {

constexpr std::size_t kMaxFilterLength = 64;

// TypedPlugin parses the serialized Config and wraps/unwraps the versioned state; the
// plugin writes only what is its own.
class LuxMeterPlugin final : public itc::TypedPlugin<Config, Counts> {
 public:
  LuxMeterPlugin() : TypedPlugin({"acme.lux_meter.Counts", 1}) {}

  // Errors start with the field's name, which the host turns into
  // file:line:column: plugins[i].config.<field>.
  itc::Status check_config(const Config& config) const override {
    const std::string& filter = config.metric_filter();
    if (filter.size() > kMaxFilterLength) {
      return itc::Status::InvalidArgument("metric_filter: at most " +
                                          std::to_string(kMaxFilterLength) + " characters, got " +
                                          std::to_string(filter.size()));
    }
    for (unsigned char c : filter) {
      if (std::isspace(c) || std::iscntrl(c)) {
        return itc::Status::InvalidArgument(
            "metric_filter: a metric name has no whitespace or control characters, got \"" +
            filter + "\"");
      }
    }
    return itc::Status::Ok();
  }

  itc::Status configure(itc::HostEnv& env, const Config& config) override {
    env_ = &env;
    filter_ = config.metric_filter();
    seen_ = &env.metrics().gauge("readings_seen", "Readings counted by acme-lux-meter");
    // Subscribing here (not in start) means no reading published meanwhile is missed.
    return env.bus().subscribe<itc::v1::Reading>(
        itc::topics::kReadings, [this](const itc::v1::Reading& r) { on_reading(r); });
  }

  itc::Status start() noexcept override {
    return itc::guard("start", [&] {
      env_->log().info("acme-lux-meter: counting " +
                       (filter_.empty() ? std::string("every metric") : "metric " + filter_));
      return itc::Status::Ok();
    });
  }

  // Nothing is in flight (the plugin publishes nothing); reports what it has counted.
  itc::Status drain() noexcept override {
    return itc::guard("drain", [&] {
      env_->log().info("acme-lux-meter: drained; " + summary());
      return itc::Status::Ok();
    });
  }

  itc::Status save_state(Counts* counts) override {
    std::lock_guard lock(mutex_);
    for (const auto& [metric, n] : counts_) (*counts->mutable_seen_by_metric())[metric] = n;
    return itc::Status::Ok();
  }

  itc::Status restore_state(Counts counts) override {
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
