// The `itc` command-line tool: one file per command group registers its subcommands.
// A subcommand's parse callback stores what to run in the Action; main() runs it after
// parsing. Exit codes: 0 success, 1 the command failed (message on stderr), 2 bad usage.
#pragma once

#include <google/protobuf/message.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "itc/status.hpp"

namespace itc::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// What the chosen subcommand does; returns the process exit code.
using Action = std::function<int()>;

// `itc plugin ...`: keygen, pack, sign, verify.
void add_plugin_commands(CLI::App& app, Action& action);
// `itc key ...`: public.
void add_key_commands(CLI::App& app, Action& action);
// `itc command ...`: sign.
void add_command_commands(CLI::App& app, Action& action);
// `itc network ...`: init.
void add_network_commands(CLI::App& app, Action& action);
// `itc tx ...`: transfer, register-device, transfer-device, reconfigure.
void add_tx_commands(CLI::App& app, Action& action);
// `itc analytics ...`: submit, status.
void add_analytics_commands(CLI::App& app, Action& action);
// `itc chain ...`: head, block, verify-qc.
void add_chain_commands(CLI::App& app, Action& action);

// `itc admin token ...`: create, list, revoke.
void add_admin_commands(CLI::App& app, Action& action);

// `itc validators ...`: approve (a proposed validator-set change).
void add_validator_commands(CLI::App& app, Action& action);
// `itc dag ...`: issue, submit, show, tips.
void add_dag_commands(CLI::App& app, Action& action);

// Parses `json` as `msg`'s type; the error names `source`, the type and the problem.
Status parse_message(const std::string& json, const std::string& source,
                     google::protobuf::Message* msg);
// Prints "itc: <status message>" to stderr and returns kExitFailed.
int fail(const Status& status);
// Writes `text` to `path` atomically, or to stdout when `path` is empty or "-".
Status write_output(const std::string& path, const std::string& text);

}  // namespace itc::cli
