#include "lamp.hpp"

#include <algorithm>
#include <cmath>

#include "itc/command_signing.hpp"
#include "itc/light/owned_command.hpp"

namespace itc::sim_lighting {
namespace {

constexpr int kMinutesPerDay = 1440;

void add_int(v1::RawFrame* frame, const char* metric, std::int64_t v) {
  auto* value = frame->add_values();
  value->set_metric(metric);
  value->set_raw_int(v);
}

void apply_action(Lamp& lamp, v1::Action action, std::uint32_t dim_level) {
  switch (action) {
    case v1::ACTION_ON:
      lamp.on = true;
      break;
    case v1::ACTION_OFF:
      lamp.on = false;
      break;
    case v1::ACTION_DIM:
      lamp.dim = dim_level;
      lamp.on = dim_level > 0;
      break;
    default:
      break;
  }
}

// Runs schedule entries whose minute passed since the last evaluation.
void run_schedule(Lamp& lamp, std::int64_t now_us) {
  if (lamp.schedule.empty()) return;
  const int minute = static_cast<int>((now_us / 60'000'000) % kMinutesPerDay);
  if (lamp.last_schedule_minute < 0) {
    lamp.last_schedule_minute = minute;
    return;
  }
  for (int m = lamp.last_schedule_minute; m != minute;) {
    m = (m + 1) % kMinutesPerDay;
    for (const auto& e : lamp.schedule) {
      if (static_cast<int>(e.minute_of_day()) == m) apply_action(lamp, e.action(), e.dim_level());
    }
  }
  lamp.last_schedule_minute = minute;
}

Status check_schedule(const v1::Command& cmd) {
  for (int i = 0; i < cmd.schedule_size(); ++i) {
    const auto& e = cmd.schedule(i);
    const std::string where = "schedule[" + std::to_string(i) + "]: ";
    if (e.minute_of_day() >= kMinutesPerDay) {
      return Status::InvalidArgument(where + "minute_of_day must be 0..1439, got " +
                                     std::to_string(e.minute_of_day()));
    }
    if (e.action() != v1::ACTION_ON && e.action() != v1::ACTION_OFF &&
        e.action() != v1::ACTION_DIM) {
      return Status::InvalidArgument(where + "action must be ON, OFF or DIM");
    }
    if (e.dim_level() > 100) {
      return Status::InvalidArgument(where + "dim_level must be 0..100, got " +
                                     std::to_string(e.dim_level()));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<crypto::Ed25519PrivateKey> derive_lamp_key(std::string_view fleet_seed,
                                                  std::uint32_t number) {
  crypto::Sha256 h;
  h.update(fleet_seed);
  char be[8];
  for (int i = 0; i < 8; ++i)
    be[i] = static_cast<char>((std::uint64_t{number} >> (56 - 8 * i)) & 0xff);
  h.update(std::string_view(be, sizeof be));
  return crypto::Ed25519PrivateKey::from_seed(h.finish());
}

void next_report(Lamp& lamp, SimRng& rng, double fault_probability, std::int64_t now_us,
                 const std::string& profile, v1::RawFrame* frame) {
  run_schedule(lamp, now_us);
  const bool fault = fault_probability > 0 && rng.uniform() < fault_probability;

  const std::int64_t lit = lamp.on ? kRatedMilliwatts * lamp.dim / 100 : 0;
  std::int64_t power = kStandbyMilliwatts + lit + std::llround(lit * 0.015 * rng.noise());
  power = std::max<std::int64_t>(power, 0);
  // Temperature relaxes towards ambient + heat from the driver, with sensor noise.
  const double target = kAmbientDeciCelsius + static_cast<double>(power) / 500.0;
  lamp.temperature_dc += (target - lamp.temperature_dc) * 0.2 + rng.noise();
  // Occupancy: a bounded random walk of people under the lamp.
  lamp.occupancy = std::clamp(lamp.occupancy + rng.noise() * 0.7, 0.0, 20.0);

  frame->set_device_id(lamp.id);
  frame->set_profile(profile);
  frame->set_seq(++lamp.seq);
  frame->set_sampled_at_us(now_us);
  add_int(frame, "power_mw", fault ? kFaultMilliwatts : power);
  add_int(frame, "temperature_dc", std::llround(lamp.temperature_dc));
  add_int(frame, "dim_pct", lamp.dim);
  add_int(frame, "on", lamp.on ? 1 : 0);
  add_int(frame, "occupancy", std::llround(lamp.occupancy));
  add_int(frame, "fault", fault ? 1 : 0);
}

v1::CommandResult apply_command(Lamp& lamp, const v1::Command& cmd, const OwnerPolicy& policy,
                                std::int64_t now_us, bool* owner_refused) {
  v1::CommandResult result;
  result.set_device_id(lamp.id);
  result.set_nonce(cmd.nonce());
  auto refuse = [&](const std::string& reason) {
    result.set_accepted(false);
    result.set_reason(reason);
    return result;
  };
  *owner_refused = true;
  if (policy.chain) {
    if (!lamp.trust) lamp.trust = std::make_unique<light::State>(*policy.trust_root);
    Status s = light::verify_owned_command(lamp.trust.get(), cmd, now_us, policy.max_header_age_us);
    if (!s.ok()) return refuse(s.message());
  } else if (Status s = verify_command(cmd, policy.owner_key); !s.ok()) {
    return refuse(s.message());
  }
  *owner_refused = false;
  if (cmd.nonce() <= lamp.last_nonce) {
    return refuse("replayed command: nonce " + std::to_string(cmd.nonce()) +
                  " is not above the last accepted " + std::to_string(lamp.last_nonce));
  }
  switch (cmd.action()) {
    case v1::ACTION_ON:
    case v1::ACTION_OFF:
      apply_action(lamp, cmd.action(), 0);
      break;
    case v1::ACTION_DIM:
      if (cmd.dim_level() > 100) {
        return refuse("dim_level must be 0..100, got " + std::to_string(cmd.dim_level()));
      }
      apply_action(lamp, cmd.action(), cmd.dim_level());
      break;
    case v1::ACTION_SET_SCHEDULE: {
      if (Status s = check_schedule(cmd); !s.ok()) return refuse(s.message());
      lamp.schedule.assign(cmd.schedule().begin(), cmd.schedule().end());
      std::sort(lamp.schedule.begin(), lamp.schedule.end(),
                [](const auto& a, const auto& b) { return a.minute_of_day() < b.minute_of_day(); });
      lamp.last_schedule_minute = -1;
      break;
    }
    default:
      return refuse("unknown action " + std::to_string(cmd.action()));
  }
  lamp.last_nonce = cmd.nonce();
  result.set_accepted(true);
  return result;
}

}  // namespace itc::sim_lighting
