// SimLightingPlugin: the "sim-lighting" connection plugin, a simulated lamp fleet.
// At start it registers every lamp (topics::kRegistrations), then each lamp reports a
// signed v1::RawFrame on topics::kRawFrames once per report interval, the reports spread
// evenly over the interval. Owner-signed v1::Commands (topics::kCommands) are checked by
// the lamp itself — its own light client checks the command's ownership proof (verify:
// chain), or the configured owner key decides (verify: key) — and answered on
// topics::kCommandResults. See README.md for config, topics and metrics.
// Thread safety: lifecycle calls come from one host thread; the report tick (a timer) and
// command handling (a bus thread) share the lamps under mu_.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "fleet_config.hpp"
#include "itc/typed_plugin.hpp"
#include "lamp.hpp"
#include "sim_lighting.pb.h"

namespace itc::sim_lighting {

// The hot-swap state: PluginState type and version.
inline constexpr StateEnvelope kState{"itc.sim_lighting.FleetState", 1};

class SimLightingPlugin final : public TypedPlugin<Config, FleetState> {
 public:
  SimLightingPlugin() : TypedPlugin(kState) {}
  Status start() noexcept override;
  Status drain() noexcept override;
  void stop() noexcept override;

 private:
  Status check_config(const Config& config) const override;
  Status configure(HostEnv& env, const Config& config) override;
  Status save_state(FleetState* state) override;
  Status restore_state(FleetState state) override;
  void report_tick();
  std::uint64_t reports_due(std::chrono::nanoseconds now);
  void sign_frames(std::vector<std::shared_ptr<v1::RawFrame>>& frames,
                   std::vector<const crypto::Ed25519PrivateKey*>& keys);
  void on_command(const v1::Command& cmd);
  void handle_command(const v1::Command& cmd);
  Status publish_registrations();

  HostEnv* env_ = nullptr;
  FleetConfig cfg_;
  std::vector<Lamp> lamps_;  // fixed after initialise()
  std::unordered_map<std::string, std::size_t> index_;

  std::mutex mu_;  // guards lamps_' mutable state, rng_, held_commands_
  SimRng rng_{0};
  std::deque<v1::Command> held_commands_;  // arrived while not running

  std::atomic<bool> running_{false};
  TimerId tick_timer_ = 0;
  bool tick_armed_ = false;
  // Report slots: slot k is lamp k % N's report in round k / N.
  std::chrono::nanoseconds origin_{0};
  std::uint64_t next_slot_ = 0;

  Counter* frames_sent_ = nullptr;
  Counter* commands_applied_ = nullptr;
  Counter* commands_refused_ = nullptr;
  Counter* owner_refused_ = nullptr;
  Gauge* lamps_gauge_ = nullptr;
};

}  // namespace itc::sim_lighting
