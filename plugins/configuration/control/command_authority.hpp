// CommandAuthority: the itc.command-gateway.v1 service. A command is accepted only when
//   1. its device is known: recorded on the chain (the LedgerStore's state, when a store
//      is loaded), or else announced by a v1::DeviceRegistration,
//   2. it is signed by that owner's key (itc::verify_command) — the chain's owner wins,
//      so an ownership transfer on the chain takes effect at once,
//   3. its nonce is above the last nonce accepted for the device (persisted in the
//      plugin's KeyValueStore before the command is sent, so a restart reopens no replay),
//   4. issued_at_us is within max_age of the node clock (either direction),
//   5. its action fields are valid (dim 0..100, schedule minute 0..1439);
// then it is published on topics::kCommands with an ownership proof attached (a device
// verifying commands itself checks it: itc/light/command_check.hpp). Otherwise accepted=false with
// a reason that starts with the device id and says what was wrong. Thread safety: all methods may
// be called from any thread; submissions are serialised, so commands leave in nonce order per
// device.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "itc/host_env.hpp"
#include "itc/services/command_gateway.hpp"
#include "itc/v1/device.pb.h"

namespace itc::control {

class CommandAuthority final : public CommandGateway {
 public:
  CommandAuthority(HostEnv& env, std::chrono::seconds max_age);

  // Learns (or updates) a device's owner. Ignores, with a warning, a registration whose
  // owner key is not 32 bytes.
  void register_device(const v1::DeviceRegistration& registration);
  // device id -> owner key, for hand-over to a successor.
  std::map<std::string, std::string> owners() const;

  // Until enabled (start) and after disabled (drain), every command is refused.
  void set_accepting(bool accepting) { accepting_ = accepting; }

  v1::CommandResult submit(const v1::Command& cmd) override;

 private:
  // Ok, or the reason the command is refused (without the device prefix).
  Status authorise(const v1::Command& cmd);
  // The device's owner in the chain's state (via the LedgerStore service), if recorded.
  Result<std::optional<std::string>> owner_on_chain(const std::string& device_id);
  Result<std::uint64_t> last_nonce(const std::string& device_id);
  // `cmd` with an ownership proof attached: the device's owner record proven against the
  // ledger store's newest certified block (itc/light/store_proofs.hpp), unless the sender
  // attached one (kept as it is: the device checks whichever it gets) or the node has no
  // store or no certified block (then sent without, with a warning).
  v1::Command with_ownership_proof(const v1::Command& cmd);

  HostEnv& env_;
  const std::chrono::seconds max_age_;
  std::atomic<bool> accepting_{false};

  mutable std::mutex owners_mu_;
  std::map<std::string, std::string> owners_;  // device id -> owner key (raw 32 bytes)

  std::mutex submit_mu_;                         // serialises check-persist-publish; guards nonces_
  std::map<std::string, std::uint64_t> nonces_;  // cache of the persisted last nonces

  Counter& accepted_;
  Counter& refused_;
};

}  // namespace itc::control
