// The solo plugin: single-node ordering for development, like Fabric's "solo" orderer.
// Readings from topics::kReadings are cut into blocks every block_interval_ms, or as soon
// as max_block_readings are pending, and appended to the itc.ledger-store.v2 service.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "block_cutter.hpp"
#include "itc/abi.hpp"
#include "itc/bus.hpp"
#include "itc/plugin.hpp"
#include "solo_config.pb.h"

namespace itc::solo {
namespace {

constexpr std::uint32_t kDefaultIntervalMs = 200;
constexpr std::uint32_t kDefaultMaxBlockReadings = 10000;
constexpr std::string_view kStateType = "itc.solo.PendingReadings";
constexpr std::uint32_t kStateVersion = 1;

struct Settings {
  std::uint32_t block_interval_ms = kDefaultIntervalMs;
  std::uint32_t max_block_readings = kDefaultMaxBlockReadings;
};

Result<Settings> parse_settings(std::string_view bytes) {
  Config config;
  if (!config.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("config: not a valid itc.solo.Config message");
  }
  Settings s;
  if (config.has_block_interval_ms()) s.block_interval_ms = config.block_interval_ms();
  if (config.has_max_block_readings()) s.max_block_readings = config.max_block_readings();
  if (s.block_interval_ms < 1 || s.block_interval_ms > 600000) {
    return Status::InvalidArgument("block_interval_ms: must be 1..600000, got " +
                                   std::to_string(s.block_interval_ms));
  }
  if (s.max_block_readings < 1 || s.max_block_readings > 1000000) {
    return Status::InvalidArgument("max_block_readings: must be 1..1000000, got " +
                                   std::to_string(s.max_block_readings));
  }
  return s;
}

class SoloPlugin final : public Plugin {
 public:
  Status validate_config(std::string_view config) const noexcept override {
    try {
      auto parsed = parse_settings(config);
      return parsed.ok() ? Status::Ok() : parsed.status();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("solo: ") + e.what());
    }
  }

  Status initialise(HostEnv& env, std::string_view config) noexcept override {
    try {
      auto settings = parse_settings(config);
      if (!settings.ok()) return settings.status();
      env_ = &env;
      settings_ = *settings;
      cutter_ = std::make_unique<BlockCutter>(env, settings_.max_block_readings);
      // Readings that arrive before start() are buffered, not lost.
      return env.bus().subscribe<v1::Reading>(topics::kReadings,
                                              [this](const v1::Reading& r) { on_reading(r); });
    } catch (const std::exception& e) {
      return Status::Internal(std::string("solo: initialise: ") + e.what());
    }
  }

  Status start() noexcept override {
    try {
      ITC_RETURN_IF_ERROR(cutter_->resume(env_->services().find<LedgerStore>()));
      running_ = true;
      timer_ = env_->timers().schedule_every(std::chrono::milliseconds(settings_.block_interval_ms),
                                             [this] { on_interval(); });
      env_->log().info("solo: ordering on top of height " + std::to_string(cutter_->head_height()) +
                       ", a block every " + std::to_string(settings_.block_interval_ms) +
                       " ms or " + std::to_string(settings_.max_block_readings) + " readings");
      return Status::Ok();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("solo: start: ") + e.what());
    }
  }

  // Stops the timer and cuts a final block with whatever is pending.
  Status drain() noexcept override {
    try {
      running_ = false;
      cancel_timer();
      Status s = cutter_->cut_all();
      if (!s.ok()) {
        return Status::Unavailable("solo: " + std::to_string(cutter_->pending()) +
                                   " readings could not be committed while draining (" +
                                   s.message() + "); they are kept and exported as state");
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("solo: drain: ") + e.what());
    }
  }

  Status export_state(v1::PluginState* out) noexcept override {
    try {
      out->Clear();
      out->set_type(std::string(kStateType));
      out->set_version(kStateVersion);
      PendingReadings state;
      for (const auto& r : cutter_->pending_copy()) {
        if (!r.SerializeToString(state.add_readings())) {
          return Status::Internal("solo: a pending reading cannot be serialized");
        }
      }
      if (!state.SerializeToString(out->mutable_data())) {
        return Status::Internal("solo: pending readings cannot be serialized");
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("solo: export_state: ") + e.what());
    }
  }

  Status import_state(const v1::PluginState& state) noexcept override {
    try {
      if (state.type().empty()) return Status::Ok();
      if (state.type() != kStateType || state.version() != kStateVersion) {
        return Status::Incompatible("solo imports state " + std::string(kStateType) + " v" +
                                    std::to_string(kStateVersion) + ", not " + state.type() + " v" +
                                    std::to_string(state.version()));
      }
      PendingReadings pending;
      if (!pending.ParseFromString(state.data())) {
        return Status::InvalidArgument("solo: state data is not a valid PendingReadings");
      }
      std::vector<v1::Reading> readings(static_cast<std::size_t>(pending.readings_size()));
      for (int i = 0; i < pending.readings_size(); ++i) {
        if (!readings[static_cast<std::size_t>(i)].ParseFromString(pending.readings(i))) {
          return Status::InvalidArgument("solo: pending reading " + std::to_string(i) +
                                         " in the state is not a valid itc.v1.Reading");
        }
      }
      cutter_->add_front(std::move(readings));
      return Status::Ok();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("solo: import_state: ") + e.what());
    }
  }

  void stop() noexcept override {
    running_ = false;
    cancel_timer();
    if (cutter_) cutter_->detach();
  }

 private:
  void on_reading(const v1::Reading& reading) {
    const std::size_t pending = cutter_->add(reading);
    // A refused block is logged by the cutter; then only the interval retries, so a
    // failing store is not hammered once per reading.
    if (running_ && !backing_off_ && pending >= settings_.max_block_readings) {
      backing_off_ = !cutter_->cut_full_blocks().ok();
    }
  }

  void on_interval() {
    if (running_) backing_off_ = !cutter_->cut_interval().ok();
  }

  void cancel_timer() {
    if (timer_) env_->timers().cancel(*timer_);
    timer_.reset();
  }

  HostEnv* env_ = nullptr;
  Settings settings_;
  std::unique_ptr<BlockCutter> cutter_;
  std::atomic<bool> running_{false};
  std::atomic<bool> backing_off_{false};  // the last cut failed: retry on the interval
  std::optional<TimerId> timer_;
};

}  // namespace
}  // namespace itc::solo

ITC_PLUGIN(itc::solo::SoloPlugin, "solo", "1.0.0", "cyber", "itc.solo.Config", "", "itc.ledger-store.v2")
