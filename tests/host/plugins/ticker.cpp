// Test plugin "ticker": publishes Readings with consecutive sequence numbers on
// "test.ticks" at a steady rate, for hot-swap and bus tests.
#include <atomic>
#include <chrono>

#include "itc/abi.hpp"
#include "itc/plugin.hpp"
#include "itc/v1/device.pb.h"
#include "ticker.pb.h"

namespace {

class Ticker final : public itc::Plugin {
 public:
  itc::Status validate_config(std::string_view config) const noexcept override {
    itc::test::ticker::Config c;
    if (!c.ParseFromArray(config.data(), static_cast<int>(config.size())))
      return itc::Status::InvalidArgument("config: not a ticker Config");
    if (c.rate_per_s() > 1000000)
      return itc::Status::InvalidArgument("rate_per_s: at most 1000000");
    return itc::Status::Ok();
  }
  itc::Status initialise(itc::HostEnv& env, std::string_view config) noexcept override {
    ITC_RETURN_IF_ERROR(validate_config(config));
    itc::test::ticker::Config c;
    c.ParseFromArray(config.data(), static_cast<int>(config.size()));
    rate_ = c.rate_per_s() ? c.rate_per_s() : 10000;
    env_ = &env;
    sent_ = &env.metrics().gauge("sent", "Ticks published");
    return itc::Status::Ok();
  }
  itc::Status start() noexcept override {
    started_ = env_->clock().steady_now();
    base_ = seq_;
    timer_ = env_->timers().schedule_every(std::chrono::milliseconds(2), [this] { tick(); });
    return itc::Status::Ok();
  }
  itc::Status drain() noexcept override {
    env_->timers().cancel(timer_);
    return itc::Status::Ok();
  }
  void stop() noexcept override {}

 private:
  void tick() {
    auto elapsed = env_->clock().steady_now() - started_;
    auto due =
        base_ + static_cast<std::uint64_t>(std::chrono::duration<double>(elapsed).count() * rate_);
    while (seq_ < due) {
      itc::v1::Reading r;
      r.set_device_id("ticker");
      r.set_frame_seq(++seq_);
      if (!env_->bus().publish_value("test.ticks", std::move(r)).ok()) break;
      sent_->set(static_cast<double>(seq_));
    }
  }
  itc::HostEnv* env_ = nullptr;
  itc::Gauge* sent_ = nullptr;
  std::uint64_t rate_ = 0;
  std::uint64_t seq_ = 0;
  std::uint64_t base_ = 0;
  std::chrono::nanoseconds started_{};
  itc::TimerId timer_ = 0;
};

}  // namespace

ITC_PLUGIN(Ticker, "ticker", "1.0.0", "connection", "itc.test.ticker.Config", "", "")
