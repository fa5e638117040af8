// itc-light: a light client on the command line. It keeps libitc-light's State in one
// small file (ITCS format), syncs it from a node (optionally cross-checked by a witness
// node) and checks the node's answers itself: a device's owner, an account's balance, a
// transaction's or reading's inclusion. It trusts the genesis (or a checkpoint) it was initialised
// with and nothing a node says. Every command prints its verdict and why.
// Exit codes: 0 verified, 1 refused or failed (the reason on stdout/stderr), 2 bad usage,
// 3 an attack: two nodes served conflicting certified headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "../../cli/admin_client.hpp"
#include "itc/light/light_client.hpp"
#include "itc/status.hpp"

namespace itc::light::cli {

inline constexpr int kExitVerified = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitAttack = 3;

struct Options {
  std::string state_file = "itc-light.state";
  std::string genesis_file;
  std::string checkpoint;                // "HEIGHT:HEX HASH"
  std::uint64_t trust_period_days = 14;  // 0: no limit
  itc::cli::NodeAccess node;
  itc::cli::NodeAccess witness;
  bool has_witness = false;
  std::string argument;  // DEVICE, ACCOUNT, tx ID or device transaction ID
  std::optional<std::uint64_t> height;
  std::uint32_t index = 0;  // a reading's index in its block
};

int run_init(const Options& o);
int run_sync(const Options& o);
int run_owner(const Options& o);
int run_balance(const Options& o);
int run_tx(const Options& o);
int run_dag(const Options& o);
int run_reading(const Options& o);

// Shared by the commands (light_state_io.cpp).
// The state, once its trusting period is checked against this machine's clock (a state
// past it is refused: PermissionDenied naming trust_expired).
Result<State> load_state(const std::string& path);
// This machine's clock, microseconds since the Unix epoch.
std::int64_t now_us();
Status save_state(const std::string& path, const State& state);
// "refused: <name>: <text> (detail N)".
std::string describe(Outcome o);
// Fetches `target` from the node as bytes (a proof); errors name the node and target.
Result<std::string> fetch(const itc::cli::NodeAccess& node, const std::string& target);
// "height 12, header 1a2b3c4d..."
std::string header_line(const State& state);

}  // namespace itc::light::cli
