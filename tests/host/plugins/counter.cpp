// Test plugin "counter": consumes Readings on "test.ticks" and keeps exact accounting
// (received, duplicates, out of order) that it carries across hot swaps. Built twice,
// as 1.0.0 and 2.0.0, from this source (COUNTER_VERSION).
#include <mutex>

#include "counter.pb.h"
#include "itc/abi.hpp"
#include "itc/plugin.hpp"
#include "itc/v1/device.pb.h"

namespace {

class Counter final : public itc::Plugin {
 public:
  itc::Status initialise(itc::HostEnv& env, std::string_view config) noexcept override {
    env_ = &env;
    if (!config_.ParseFromArray(config.data(), static_cast<int>(config.size())))
      return itc::Status::InvalidArgument("config: not a counter Config");
    received_ = &env.metrics().gauge("received", "Messages received");
    duplicates_ = &env.metrics().gauge("duplicates", "Duplicate sequence numbers");
    out_of_order_ = &env.metrics().gauge("out_of_order", "Sequence numbers out of order");
    version_ = &env.metrics().gauge("version_major", "Major version of the running build");
    return env.bus().subscribe<itc::v1::Reading>(
        "test.ticks", [this](const itc::v1::Reading& r) { on_tick(r.frame_seq()); });
  }
  itc::Status start() noexcept override {
    version_->set(COUNTER_VERSION_MAJOR);
    publish();
    return itc::Status::Ok();
  }
  itc::Status drain() noexcept override { return itc::Status::Ok(); }
  itc::Status export_state(itc::v1::PluginState* out) noexcept override {
    std::lock_guard lock(mu_);
    out->set_type("itc.test.counter.State");
    out->set_version(1);
    out->set_data(state_.SerializeAsString());
    return itc::Status::Ok();
  }
  itc::Status import_state(const itc::v1::PluginState& in) noexcept override {
    if (config_.refuse_state())
      return itc::Status::Incompatible("this build refuses every state (refuse_state: true)");
    if (in.type() != "itc.test.counter.State" || in.version() != 1)
      return itc::Status::Incompatible("unknown state " + in.type());
    std::lock_guard lock(mu_);
    if (!state_.ParseFromString(in.data())) return itc::Status::Corruption("state does not parse");
    return itc::Status::Ok();
  }
  void stop() noexcept override {}

 private:
  void on_tick(std::uint64_t seq) {
    {
      std::lock_guard lock(mu_);
      state_.set_received(state_.received() + 1);
      if (seq <= state_.last_seq() && state_.received() > 1) {
        if (seq == state_.last_seq())
          state_.set_duplicates(state_.duplicates() + 1);
        else
          state_.set_out_of_order(state_.out_of_order() + 1);
      } else {
        state_.set_last_seq(seq);
      }
    }
    publish();
  }
  void publish() {
    std::lock_guard lock(mu_);
    received_->set(static_cast<double>(state_.received()));
    duplicates_->set(static_cast<double>(state_.duplicates()));
    out_of_order_->set(static_cast<double>(state_.out_of_order()));
  }

  itc::HostEnv* env_ = nullptr;
  itc::test::counter::Config config_;
  std::mutex mu_;
  itc::test::counter::State state_;
  itc::Gauge* received_ = nullptr;
  itc::Gauge* duplicates_ = nullptr;
  itc::Gauge* out_of_order_ = nullptr;
  itc::Gauge* version_ = nullptr;
};

}  // namespace

ITC_PLUGIN(Counter, "counter", COUNTER_VERSION, "cognition", "itc.test.counter.Config", "", "")
