// Lamp: one simulated smart lamp — its identity key, its switch/dim/schedule state and a
// small physical model (power follows dim with noise, temperature follows power, an
// occupancy sensor that random-walks, an occasional fault). Not thread-safe: the fleet
// guards its lamps.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "itc/crypto.hpp"
#include "itc/light/client_state.hpp"
#include "itc/v1/device.pb.h"

namespace itc::sim_lighting {

// Fast, seedable pseudo-random numbers for the simulation (splitmix64; not for keys).
class SimRng {
 public:
  explicit SimRng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  // Roughly normal, mean 0, standard deviation 1 (sum of four uniforms).
  double noise() { return (uniform() + uniform() + uniform() + uniform() - 2.0) * 1.732; }

 private:
  std::uint64_t state_;
};

// Model constants, also what deploy/profiles/dimmable-lamp.yaml expects.
inline constexpr std::int64_t kStandbyMilliwatts = 300;
inline constexpr std::int64_t kRatedMilliwatts = 12000;   // at dim 100
inline constexpr std::int64_t kFaultMilliwatts = 250000;  // what a faulty driver reports
inline constexpr std::int64_t kAmbientDeciCelsius = 215;

struct Lamp {
  std::string id;
  crypto::Ed25519PrivateKey key;
  std::string public_key;  // raw 32 bytes
  std::uint64_t seq = 0;   // last frame sent
  bool on = true;
  std::uint32_t dim = 100;
  std::vector<v1::ScheduleEntry> schedule;  // sorted by minute_of_day
  std::uint64_t last_nonce = 0;
  int last_schedule_minute = -1;  // -1: not evaluated yet
  double occupancy = 0;
  double temperature_dc = kAmbientDeciCelsius;
  // The lamp's own light client (verify: chain): the validator set and the one certified
  // header it trusts. Made from the fleet's trust root at the lamp's first command.
  std::unique_ptr<light::State> trust;
};

// Who may command a lamp: in chain mode the owner its own light client proves from the
// command's ownership proof; in key mode the configured owner key.
struct OwnerPolicy {
  bool chain = false;
  std::string_view owner_key;                // key mode: raw 32 bytes
  const light::State* trust_root = nullptr;  // chain mode: a new lamp's initial state
  std::int64_t max_header_age_us = 0;        // chain mode
};

// The lamp's key: from_seed(SHA-256(fleet_seed || uint64_be(number))).
Result<crypto::Ed25519PrivateKey> derive_lamp_key(std::string_view fleet_seed,
                                                  std::uint32_t number);

// Advances the lamp's model to `now_us` (running due schedule entries) and fills `frame`
// with the next report (seq incremented; not yet signed). Raw integer values: power_mw,
// temperature_dc, dim_pct, on, occupancy, fault.
void next_report(Lamp& lamp, SimRng& rng, double fault_probability, std::int64_t now_us,
                 const std::string& profile, v1::RawFrame* frame);

// Checks that `cmd` is signed by the lamp's owner under `policy` (at wall-clock `now_us`)
// and is not a replay, then applies it. The result names the reason for a refusal;
// *owner_refused says whether the owner check refused it.
v1::CommandResult apply_command(Lamp& lamp, const v1::Command& cmd, const OwnerPolicy& policy,
                                std::int64_t now_us, bool* owner_refused);

}  // namespace itc::sim_lighting
