#include "sim_lighting.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <thread>

#include "itc/abi.hpp"
#include "itc/frame_signing.hpp"
#include "itc/light/state_file.hpp"
#include "sim_lighting.pb.h"

namespace itc::sim_lighting {
namespace {

using std::chrono::nanoseconds;

constexpr nanoseconds kMaxTick = std::chrono::milliseconds(10);
constexpr nanoseconds kMinTick = std::chrono::milliseconds(1);
// Bounds one tick's work (and so drain latency) when the fleet is behind or unthrottled.
constexpr std::uint64_t kMaxFramesPerTick = 4096;
constexpr std::size_t kSignChunk = 64;

// Frames to sign, shared by the tick thread and helper tasks on the executor. Whoever
// comes first takes the next chunk; a helper that arrives late finds nothing to do.
struct SignBatch {
  std::vector<std::shared_ptr<v1::RawFrame>> frames;
  std::vector<const crypto::Ed25519PrivateKey*> keys;
  std::size_t chunks = 0;
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::mutex mu;
  std::condition_variable all_done;

  void work() {
    for (;;) {
      const std::size_t c = next.fetch_add(1);
      if (c >= chunks) return;
      const std::size_t end = std::min(frames.size(), (c + 1) * kSignChunk);
      for (std::size_t i = c * kSignChunk; i < end; ++i) sign_frame(frames[i].get(), *keys[i]);
      if (done.fetch_add(1) + 1 == chunks) {
        std::lock_guard lock(mu);
        all_done.notify_all();
      }
    }
  }
};

}  // namespace

Status SimLightingPlugin::check_config(const Config& config) const {
  auto parsed = parse_fleet_config(config);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

Status SimLightingPlugin::configure(HostEnv& env, const Config& config) {
  env_ = &env;
  auto parsed = parse_fleet_config(config);
  if (!parsed.ok()) return parsed.status();
  cfg_ = std::move(parsed).value();

  lamps_.resize(cfg_.lamps);
  index_.reserve(cfg_.lamps);
  for (std::uint32_t i = 0; i < cfg_.lamps; ++i) {
    Lamp& lamp = lamps_[i];
    lamp.id = lamp_id(cfg_.id_prefix, i + 1);
    auto key = derive_lamp_key(cfg_.fleet_seed, i + 1);
    if (!key.ok()) return key.status().WithContext("deriving the key of " + lamp.id);
    lamp.key = std::move(key).value();
    lamp.public_key = lamp.key.public_key();
    index_.emplace(lamp.id, i);
  }
  rng_ = SimRng(std::hash<std::string>{}(cfg_.fleet_seed));

  auto& m = env.metrics();
  frames_sent_ = &m.counter("frames_sent", "Signed frames published by the simulated lamps");
  commands_applied_ = &m.counter("commands_applied", "Owner-signed commands the lamps applied");
  commands_refused_ =
      &m.counter("commands_refused", "Commands the lamps refused (bad signature, replay, value)");
  owner_refused_ = &m.counter(
      "commands_refused_owner",
      "Commands the lamps refused because their owner check failed (chain: the ownership "
      "proof's verdict; key: the configured owner key)");
  lamps_gauge_ = &m.gauge("lamps", "Simulated lamps in the fleet");
  lamps_gauge_->set(cfg_.lamps);

  return env.bus().subscribe<v1::Command>(topics::kCommands,
                                          [this](const v1::Command& cmd) { on_command(cmd); });
}

Status SimLightingPlugin::publish_registrations() {
  for (const Lamp& lamp : lamps_) {
    v1::DeviceRegistration reg;
    reg.set_device_id(lamp.id);
    reg.set_profile(cfg_.profile);
    reg.set_public_key(lamp.public_key);
    reg.set_owner_public_key(cfg_.owner_public_key);
    ITC_RETURN_IF_ERROR(env_->bus().publish_value(topics::kRegistrations, std::move(reg)));
  }
  return Status::Ok();
}

Status SimLightingPlugin::start() noexcept {
  return guard("start", [&]() -> Status {
    if (env_ == nullptr) return Status::FailedPrecondition("start before initialise");
    ITC_RETURN_IF_ERROR(publish_registrations());
    running_ = true;
    std::deque<v1::Command> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_commands_);
    }
    for (const auto& cmd : held) handle_command(cmd);

    origin_ = env_->clock().steady_now();
    next_slot_ = 0;
    const nanoseconds interval = cfg_.report_interval;
    const nanoseconds tick =
        interval.count() == 0 ? kMinTick : std::clamp(interval, kMinTick, kMaxTick);
    tick_timer_ = env_->timers().schedule_every(tick, [this] { report_tick(); });
    tick_armed_ = true;
    env_->log().info("sim-lighting: " + std::to_string(lamps_.size()) + " lamps reporting every " +
                     std::to_string(cfg_.report_interval.count()) + " ms");
    return Status::Ok();
  });
}

// Number of report slots due by `now` that have not been sent yet. A fleet that fell
// more than one whole round behind skips ahead (each lamp still reports once per round).
std::uint64_t SimLightingPlugin::reports_due(nanoseconds now) {
  const std::uint64_t n = lamps_.size();
  if (cfg_.report_interval.count() == 0) return kMaxFramesPerTick;  // unthrottled
  const auto interval = static_cast<std::uint64_t>(nanoseconds(cfg_.report_interval).count());
  const auto elapsed = static_cast<std::uint64_t>(std::max(nanoseconds(0), now - origin_).count());
  const std::uint64_t due_slots = elapsed / interval * n + (elapsed % interval) * n / interval + 1;
  if (due_slots > next_slot_ + n) next_slot_ = due_slots - n;
  return std::min(due_slots - next_slot_, kMaxFramesPerTick);
}

void SimLightingPlugin::report_tick() {
  try {
    if (!running_) return;
    std::vector<std::shared_ptr<v1::RawFrame>> frames;
    std::vector<const crypto::Ed25519PrivateKey*> keys;
    {
      std::lock_guard lock(mu_);
      const std::uint64_t count = reports_due(env_->clock().steady_now());
      if (count == 0) return;
      frames.reserve(count);
      keys.reserve(count);
      const std::int64_t now_us = env_->clock().unix_micros();
      for (std::uint64_t k = 0; k < count; ++k) {
        Lamp& lamp = lamps_[(next_slot_ + k) % lamps_.size()];
        auto frame = std::make_shared<v1::RawFrame>();
        next_report(lamp, rng_, cfg_.fault_probability, now_us, cfg_.profile, frame.get());
        frames.push_back(std::move(frame));
        keys.push_back(&lamp.key);
      }
      next_slot_ += count;
    }
    sign_frames(frames, keys);
    std::uint64_t sent = 0;
    for (auto& frame : frames) {
      Status s = env_->bus().publish(topics::kRawFrames, std::move(frame));
      if (!s.ok()) {
        env_->log().error("sim-lighting: cannot publish frames: " + s.ToString());
        break;
      }
      ++sent;
    }
    frames_sent_->add(sent);
  } catch (const std::exception& e) {
    env_->log().error(std::string("sim-lighting: report tick failed: ") + e.what());
  }
}

// Signs on this thread and, for large batches, on idle executor workers too.
void SimLightingPlugin::sign_frames(std::vector<std::shared_ptr<v1::RawFrame>>& frames,
                                    std::vector<const crypto::Ed25519PrivateKey*>& keys) {
  auto batch = std::make_shared<SignBatch>();
  batch->frames = std::move(frames);
  batch->keys = std::move(keys);
  batch->chunks = (batch->frames.size() + kSignChunk - 1) / kSignChunk;
  const std::size_t helpers = std::min<std::size_t>(
      batch->chunks - 1, std::max(1u, std::thread::hardware_concurrency()) - 1);
  for (std::size_t i = 0; i < helpers; ++i) env_->executor().post([batch] { batch->work(); });
  batch->work();
  {
    std::unique_lock lock(batch->mu);
    batch->all_done.wait(lock, [&] { return batch->done.load() == batch->chunks; });
  }
  frames = std::move(batch->frames);
}

void SimLightingPlugin::on_command(const v1::Command& cmd) {
  try {
    if (index_.find(cmd.device_id()) == index_.end()) return;  // not one of our lamps
    if (!running_) {
      std::lock_guard lock(mu_);
      held_commands_.push_back(cmd);  // answered when the fleet (re)starts
      return;
    }
    handle_command(cmd);
  } catch (const std::exception& e) {
    env_->log().error(std::string("sim-lighting: command handling failed: ") + e.what());
  }
}

void SimLightingPlugin::handle_command(const v1::Command& cmd) {
  v1::CommandResult result;
  bool owner_refused = false;
  {
    std::lock_guard lock(mu_);
    auto it = index_.find(cmd.device_id());
    if (it == index_.end()) return;
    const OwnerPolicy policy{
        cfg_.verify == FleetConfig::Verify::kChain, cfg_.owner_public_key, &cfg_.trust_root,
        std::chrono::duration_cast<std::chrono::microseconds>(cfg_.max_header_age).count()};
    result =
        apply_command(lamps_[it->second], cmd, policy, env_->clock().unix_micros(), &owner_refused);
  }
  if (result.accepted()) {
    commands_applied_->add();
  } else {
    commands_refused_->add();
    if (owner_refused) owner_refused_->add();
    env_->log().warn("sim-lighting: " + cmd.device_id() + " refused command nonce " +
                     std::to_string(cmd.nonce()) + ": " + result.reason());
  }
  Status s = env_->bus().publish_value(topics::kCommandResults, std::move(result));
  if (!s.ok()) env_->log().error("sim-lighting: cannot publish command result: " + s.ToString());
}

Status SimLightingPlugin::drain() noexcept {
  return guard("drain", [&]() -> Status {
    running_ = false;
    if (tick_armed_) {
      env_->timers().cancel(tick_timer_);  // waits for a tick in flight
      tick_armed_ = false;
    }
    return Status::Ok();
  });
}

Status SimLightingPlugin::save_state(FleetState* state) {
  std::lock_guard lock(mu_);
  for (const Lamp& lamp : lamps_) {
    LampState* ls = state->add_lamps();
    ls->set_device_id(lamp.id);
    ls->set_seq(lamp.seq);
    ls->set_on(lamp.on);
    ls->set_dim(lamp.dim);
    ls->set_last_nonce(lamp.last_nonce);
    if (lamp.trust) {
      std::uint8_t bytes[light::kMaxStateBytes];
      const std::size_t n = light::encode_state(*lamp.trust, bytes, sizeof bytes);
      ls->set_light_state(bytes, n);
    }
    for (const auto& e : lamp.schedule) {
      ScheduleItem* item = ls->add_schedule();
      item->set_minute_of_day(e.minute_of_day());
      item->set_action(static_cast<std::uint32_t>(e.action()));
      item->set_dim_level(e.dim_level());
    }
  }
  return Status::Ok();
}

Status SimLightingPlugin::restore_state(FleetState state) {
  std::size_t adopted = 0;
  std::lock_guard lock(mu_);
  for (const LampState& ls : state.lamps()) {
    auto it = index_.find(ls.device_id());
    if (it == index_.end()) continue;  // the fleet shrank
    Lamp& lamp = lamps_[it->second];
    lamp.seq = ls.seq();
    lamp.on = ls.on();
    lamp.dim = std::min<std::uint32_t>(ls.dim(), 100);
    lamp.last_nonce = ls.last_nonce();
    lamp.trust.reset();
    if (!ls.light_state().empty()) {
      auto trust = std::make_unique<light::State>();
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(ls.light_state().data());
      const light::Outcome o = light::decode_state(bytes, ls.light_state().size(), trust.get());
      if (o.ok()) {
        lamp.trust = std::move(trust);
      } else {
        env_->log().warn("sim-lighting: " + lamp.id + ": handed-over light state refused (" +
                         light::verdict_name(o.verdict) + "); it starts again from genesis");
      }
    }
    lamp.schedule.clear();
    for (const ScheduleItem& item : ls.schedule()) {
      v1::ScheduleEntry e;
      e.set_minute_of_day(item.minute_of_day());
      e.set_action(static_cast<v1::Action>(item.action()));
      e.set_dim_level(item.dim_level());
      lamp.schedule.push_back(std::move(e));
    }
    lamp.last_schedule_minute = -1;
    ++adopted;
  }
  env_->log().info("sim-lighting: adopted the state of " + std::to_string(adopted) + " of " +
                   std::to_string(state.lamps_size()) + " lamps");
  return Status::Ok();
}

void SimLightingPlugin::stop() noexcept { (void)drain(); }

}  // namespace itc::sim_lighting

ITC_PLUGIN(itc::sim_lighting::SimLightingPlugin, "sim-lighting", "1.0.0", "connection",
           "itc.sim_lighting.Config", "", "")
