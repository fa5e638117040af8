// Owner-signed commands: a Command for one device, signed here with the owner's Ed25519
// key (PEM file chosen by the user) over itc::command_signing_bytes, ready for POST
// /v1/commands. The key never leaves this process.
// Thread safety: pure functions.
#pragma once

#include <QString>
#include <optional>

#include "itc/crypto.hpp"
#include "itc/v1/device.pb.h"

namespace itc::studio {

// Parses a schedule "HH:MM on; HH:MM dim 40; HH:MM off" into entries; nullopt and *error
// naming the bad item otherwise.
std::optional<std::vector<v1::ScheduleEntry>> parse_schedule(const QString& text, QString* error);

struct CommandRequest {
  QString device_id;
  v1::Action action = v1::ACTION_ON;
  int dim_level = 0;                        // for DIM, 0..100
  std::vector<v1::ScheduleEntry> schedule;  // for SET_SCHEDULE
};

// The signed command. The nonce is the current time in microseconds, strictly above
// `last_nonce` (the replay guard wants it increasing per owner and device).
v1::Command sign_owner_command(const CommandRequest& req, const crypto::Ed25519PrivateKey& owner,
                               std::uint64_t last_nonce = 0);

// The owner's key from a PEM file; nullopt and *error naming the file otherwise.
std::optional<crypto::Ed25519PrivateKey> load_owner_key(const QString& pem_path, QString* error);

}  // namespace itc::studio
