#include "command_authority.hpp"

#include <charconv>
#include <exception>

#include "itc/bus.hpp"
#include "itc/chain/state.hpp"
#include "itc/command_signing.hpp"
#include "itc/crypto.hpp"
#include "itc/light/store_proofs.hpp"
#include "itc/services/ledger_store.hpp"

namespace itc::control {
namespace {

// "1a2b3c4d…": the first 4 bytes of a key, enough to tell owners apart in a message.
std::string key_label(std::string_view key) {
  if (key.empty()) return "(no key)";
  return crypto::to_hex(key.substr(0, 4)) + (key.size() > 4 ? "…" : "");
}

std::string nonce_key(const std::string& device_id) { return "last_nonce/" + device_id; }

std::string action_name(v1::Action a) {
  switch (a) {
    case v1::ACTION_ON:
      return "ON";
    case v1::ACTION_OFF:
      return "OFF";
    case v1::ACTION_DIM:
      return "DIM";
    case v1::ACTION_SET_SCHEDULE:
      return "SET_SCHEDULE";
    default:
      return "action " + std::to_string(static_cast<int>(a));
  }
}

Status check_dim(std::uint32_t level, const std::string& field) {
  if (level > 100) {
    return Status::InvalidArgument(field + ": must be 0..100, got " + std::to_string(level));
  }
  return Status::Ok();
}

// InvalidArgument naming the field when an action's parameters are out of range.
Status check_action(const v1::Command& cmd) {
  switch (cmd.action()) {
    case v1::ACTION_ON:
    case v1::ACTION_OFF:
      return Status::Ok();
    case v1::ACTION_DIM:
      return check_dim(cmd.dim_level(), "dim_level");
    case v1::ACTION_SET_SCHEDULE:
      for (int i = 0; i < cmd.schedule_size(); ++i) {
        const auto& e = cmd.schedule(i);
        const std::string field = "schedule[" + std::to_string(i) + "]";
        if (e.minute_of_day() > 1439) {
          return Status::InvalidArgument(field + ".minute_of_day: must be 0..1439, got " +
                                         std::to_string(e.minute_of_day()));
        }
        if (e.action() != v1::ACTION_ON && e.action() != v1::ACTION_OFF &&
            e.action() != v1::ACTION_DIM) {
          return Status::InvalidArgument(field + ".action: must be ON, OFF or DIM, got " +
                                         action_name(e.action()));
        }
        if (e.action() == v1::ACTION_DIM) {
          ITC_RETURN_IF_ERROR(check_dim(e.dim_level(), field + ".dim_level"));
        }
      }
      return Status::Ok();
    default:
      return Status::InvalidArgument("action: must be ON, OFF, DIM or SET_SCHEDULE, got " +
                                     action_name(cmd.action()));
  }
}

}  // namespace

CommandAuthority::CommandAuthority(HostEnv& env, std::chrono::seconds max_age)
    : env_(env),
      max_age_(max_age),
      accepted_(env.metrics().counter("commands_accepted", "Commands authorised and sent")),
      refused_(env.metrics().counter("commands_refused", "Commands refused, with a reason")) {}

void CommandAuthority::register_device(const v1::DeviceRegistration& registration) {
  const std::string& device = registration.device_id();
  const std::string& owner = registration.owner_public_key();
  if (device.empty() || owner.size() != crypto::kEd25519PublicKeySize) {
    env_.log().warn("control: ignoring registration of '" + device + "': owner key is " +
                    std::to_string(owner.size()) + " bytes, expected 32");
    return;
  }
  std::lock_guard lock(owners_mu_);
  auto [it, inserted] = owners_.emplace(device, owner);
  if (!inserted && it->second != owner) {
    env_.log().warn("control: owner of " + device + " changed from " + key_label(it->second) +
                    " to " + key_label(owner));
    it->second = owner;
  }
}

std::map<std::string, std::string> CommandAuthority::owners() const {
  std::lock_guard lock(owners_mu_);
  return owners_;
}

Result<std::uint64_t> CommandAuthority::last_nonce(const std::string& device_id) {
  if (auto it = nonces_.find(device_id); it != nonces_.end()) return it->second;
  auto stored = env_.storage().get(nonce_key(device_id));
  if (!stored.ok()) return stored.status().WithContext("reading the last accepted nonce");
  std::uint64_t nonce = 0;
  if (stored->has_value()) {
    const std::string& text = **stored;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), nonce);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return Status::Corruption("stored last nonce '" + text + "' is not a number");
    }
  }
  nonces_[device_id] = nonce;
  return nonce;
}

Result<std::optional<std::string>> CommandAuthority::owner_on_chain(const std::string& device_id) {
  // Looked up per command: the ledger store may be swapped or absent (single node, solo).
  auto* store = env_.services().find<LedgerStore>();
  if (!store) return std::optional<std::string>();
  auto value = store->state_value(ledger::device_key(device_id));
  if (!value.ok()) return value.status().WithContext("reading the device's record on the chain");
  if (!value->has_value()) return std::optional<std::string>();
  v1::DeviceRecord record;
  if (!record.ParseFromString(**value)) {
    return Status::Corruption("the chain's record of " + device_id + " does not parse");
  }
  return std::optional<std::string>(record.owner());
}

v1::Command CommandAuthority::with_ownership_proof(const v1::Command& cmd) {
  if (!cmd.ownership_proof().empty()) return cmd;  // the sender's: the device checks it
  auto* store = env_.services().find<LedgerStore>();
  if (store == nullptr) return cmd;
  v1::Command out = cmd;
  auto proof = light::prover::state_proof(*store, ledger::device_key(cmd.device_id()));
  if (proof.ok()) {
    out.set_ownership_proof(std::move(proof).value());
  } else {
    env_.log().warn("control: " + cmd.device_id() + ": sent without an ownership proof (" +
                    proof.status().ToString() + "); a device that verifies will refuse it");
  }
  return out;
}

Status CommandAuthority::authorise(const v1::Command& cmd) {
  // The chain's device record, when there is one, decides (ownership can be transferred
  // there); otherwise the device's registration as it announced itself.
  auto chain_owner = owner_on_chain(cmd.device_id());
  if (!chain_owner.ok()) return chain_owner.status();
  std::string owner;
  const char* source = "owner on the chain";
  if (*chain_owner) {
    owner = **chain_owner;
  } else {
    source = "registered owner";
    std::lock_guard lock(owners_mu_);
    auto it = owners_.find(cmd.device_id());
    if (it == owners_.end()) {
      return Status::NotFound("unknown device (no registration seen for it)");
    }
    owner = it->second;
  }
  if (cmd.owner_public_key() != owner) {
    return Status::PermissionDenied("signed by " + key_label(cmd.owner_public_key()) +
                                    ", but its " + source + " is " + key_label(owner));
  }
  if (Status s = verify_command(cmd, owner); !s.ok()) {
    return Status::PermissionDenied(
        cmd.signature().empty() ? std::string("command is not signed")
                                : "signature does not verify against the registered owner key " +
                                      key_label(owner) + " (forged or altered command)");
  }

  auto last = last_nonce(cmd.device_id());
  if (!last.ok()) return last.status();
  if (cmd.nonce() <= *last) {
    return Status::PermissionDenied("nonce " + std::to_string(cmd.nonce()) +
                                    " is not above the last accepted nonce " +
                                    std::to_string(*last) + " (replay refused)");
  }

  const std::int64_t now = env_.clock().unix_micros();
  const std::int64_t age_us = now - cmd.issued_at_us();
  const std::int64_t limit_us = static_cast<std::int64_t>(max_age_.count()) * 1'000'000;
  if (age_us > limit_us) {
    return Status::PermissionDenied("command is stale: issued " + std::to_string(age_us / 1000000) +
                                    " s ago, the limit is " + std::to_string(max_age_.count()) +
                                    " s");
  }
  if (-age_us > limit_us) {
    return Status::PermissionDenied("command is issued " + std::to_string(-age_us / 1000000) +
                                    " s in the future, the limit is " +
                                    std::to_string(max_age_.count()) + " s");
  }
  return check_action(cmd);
}

v1::CommandResult CommandAuthority::submit(const v1::Command& cmd) {
  v1::CommandResult result;
  result.set_device_id(cmd.device_id());
  result.set_nonce(cmd.nonce());
  const std::string device = cmd.device_id().empty() ? "(no device_id)" : cmd.device_id();
  auto refuse = [&](const std::string& reason) {
    result.set_accepted(false);
    result.set_reason(device + ": " + reason);
    refused_.add();
    env_.log().info("control: refused " + result.reason());
    return result;
  };
  try {
    if (!accepting_) return refuse("the control plugin is not running; try again later");
    std::lock_guard lock(submit_mu_);
    if (Status s = authorise(cmd); !s.ok()) return refuse(s.message());
    const v1::Command out = with_ownership_proof(cmd);
    // Durable first: once this returns, a restart cannot accept the nonce again.
    if (Status s = env_.storage().put(nonce_key(cmd.device_id()), std::to_string(cmd.nonce()));
        !s.ok()) {
      return refuse("cannot record the nonce: " + s.ToString());
    }
    nonces_[cmd.device_id()] = cmd.nonce();
    if (Status s = env_.bus().publish_value(topics::kCommands, out); !s.ok()) {
      return refuse("authorised but not sent (nonce " + std::to_string(cmd.nonce()) +
                    " is used up; sign again with a higher one): " + s.ToString());
    }
    accepted_.add();
    result.set_accepted(true);
    return result;
  } catch (const std::exception& e) {
    return refuse(std::string("internal error: ") + e.what());
  }
}

}  // namespace itc::control
