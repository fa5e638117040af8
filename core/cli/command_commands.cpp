// `itc command ...`: owner-signed device commands, as POST /v1/commands accepts them.
#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <chrono>
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "itc/command_signing.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"

namespace itc::cli {
namespace {

struct CommandSignOptions {
  std::string key_file;
  std::string device;
  std::string action;
  int level = -1;
  std::string schedule;
  std::uint64_t nonce = 0;
  std::string proof_file;
  std::string out;
};

Result<std::uint32_t> parse_uint(std::string_view text, std::uint32_t max, std::string_view what) {
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v > max) {
    return Status::InvalidArgument(std::string(what) + " must be a number 0.." +
                                   std::to_string(max) + ", got '" + std::string(text) + "'");
  }
  return v;
}

// One "HH:MM=on", "HH:MM=off" or "HH:MM=dim:LEVEL" entry.
Result<v1::ScheduleEntry> parse_schedule_entry(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("schedule entry '" + std::string(text) + "': " + why +
                                   " (expected HH:MM=on, HH:MM=off or HH:MM=dim:LEVEL)");
  };
  auto eq = text.find('=');
  auto colon = text.find(':');
  if (eq == std::string_view::npos || colon == std::string_view::npos || colon > eq) {
    return bad("missing HH:MM=");
  }
  auto hours = parse_uint(text.substr(0, colon), 23, "hour");
  if (!hours.ok()) return bad(hours.status().message());
  auto minutes = parse_uint(text.substr(colon + 1, eq - colon - 1), 59, "minute");
  if (!minutes.ok()) return bad(minutes.status().message());
  v1::ScheduleEntry entry;
  entry.set_minute_of_day(*hours * 60 + *minutes);
  std::string_view what = text.substr(eq + 1);
  if (what == "on") {
    entry.set_action(v1::ACTION_ON);
  } else if (what == "off") {
    entry.set_action(v1::ACTION_OFF);
  } else if (what.substr(0, 4) == "dim:") {
    auto level = parse_uint(what.substr(4), 100, "dim level");
    if (!level.ok()) return bad(level.status().message());
    entry.set_action(v1::ACTION_DIM);
    entry.set_dim_level(*level);
  } else {
    return bad("unknown action '" + std::string(what) + "'");
  }
  return entry;
}

Status parse_schedule(std::string_view text, v1::Command* cmd) {
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    auto entry = parse_schedule_entry(item);
    if (!entry.ok()) return entry.status();
    *cmd->add_schedule() = std::move(entry).value();
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (cmd->schedule_size() == 0) return Status::InvalidArgument("--schedule is empty");
  return Status::Ok();
}

std::int64_t unix_micros_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int run_command_sign(const CommandSignOptions& o) {
  auto key = crypto::Ed25519PrivateKey::load_pem_file(o.key_file);
  if (!key.ok()) return fail(key.status());
  v1::Command cmd;
  cmd.set_device_id(o.device);
  if (o.action == "on") {
    cmd.set_action(v1::ACTION_ON);
  } else if (o.action == "off") {
    cmd.set_action(v1::ACTION_OFF);
  } else if (o.action == "dim") {
    if (o.level < 0) return fail(Status::InvalidArgument("--action dim needs --level 0..100"));
    cmd.set_action(v1::ACTION_DIM);
    cmd.set_dim_level(static_cast<std::uint32_t>(o.level));
  } else {  // "schedule"; CLI11 already refused anything else
    if (o.schedule.empty()) {
      return fail(Status::InvalidArgument("--action schedule needs --schedule"));
    }
    cmd.set_action(v1::ACTION_SET_SCHEDULE);
    if (Status s = parse_schedule(o.schedule, &cmd); !s.ok()) return fail(s);
  }
  if (o.action != "dim" && o.level >= 0) {
    return fail(Status::InvalidArgument("--level applies only to --action dim"));
  }
  if (o.action != "schedule" && !o.schedule.empty()) {
    return fail(Status::InvalidArgument("--schedule applies only to --action schedule"));
  }
  std::int64_t now = unix_micros_now();
  cmd.set_nonce(o.nonce != 0 ? o.nonce : static_cast<std::uint64_t>(now));
  cmd.set_issued_at_us(now);
  sign_command(&cmd, *key);
  if (!o.proof_file.empty()) {
    // Attached after signing: the proof is not signed, it proves itself to the device.
    auto proof = read_file(o.proof_file);
    if (!proof.ok()) return fail(proof.status().WithContext("--proof"));
    if (proof->empty()) {
      return fail(Status::InvalidArgument("--proof: " + o.proof_file + " is empty"));
    }
    cmd.set_ownership_proof(std::move(proof).value());
  }

  std::string json;
  auto st = google::protobuf::util::MessageToJsonString(cmd, &json);
  if (!st.ok())
    return fail(
        Status::Internal("cannot encode the command as JSON: " + std::string(st.message())));
  json.push_back('\n');
  if (Status s = write_output(o.out, json); !s.ok()) return fail(s);
  return kExitOk;
}

}  // namespace

void add_command_commands(CLI::App& app, Action& action) {
  auto* group = app.add_subcommand("command", "Owner-signed device commands");
  group->require_subcommand(1);

  auto o = std::make_shared<CommandSignOptions>();
  auto* sign = group->add_subcommand(
      "sign",
      "Sign a command to a device with its owner's key and print it as protobuf JSON "
      "(the body POST /v1/commands of a node's admin API accepts)");
  sign->add_option("--key", o->key_file, "Owner's Ed25519 private key (PEM)")->required();
  sign->add_option("--device", o->device, "Device id, e.g. lamp-0007")->required();
  sign->add_option("--action", o->action, "What the device should do")
      ->required()
      ->check(CLI::IsMember({"on", "off", "dim", "schedule"}));
  sign->add_option("--level", o->level, "Dim level in percent, for --action dim")
      ->check(CLI::Range(0, 100));
  sign->add_option("--schedule", o->schedule,
                   "For --action schedule: comma-separated HH:MM=on|off|dim:LEVEL entries, "
                   "e.g. \"06:30=on,22:00=dim:30,23:30=off\"");
  sign->add_option("--nonce", o->nonce,
                   "Replay guard, strictly increasing per owner and device. Default: the "
                   "current time in Unix microseconds");
  sign->add_option("--proof", o->proof_file,
                   "Attach this ownership proof (not signed: it proves itself): the device's "
                   "owner record as GET /v1/proofs/state/d%2F<device> of any node serves it. "
                   "Default: none; the node's control plugin attaches one");
  sign->add_option("--out", o->out, "Write the JSON to this file instead of stdout");
  sign->footer(
      "Examples:\n"
      "  itc command sign --key owner.pem --device lamp-0007 --action on\n"
      "  itc command sign --key owner.pem --device lamp-0007 --action dim --level 40\n"
      "  itc command sign --key owner.pem --device lamp-0007 --action schedule \\\n"
      "      --schedule \"06:30=on,22:00=dim:30,23:30=off\" --out cmd.json\n"
      "  curl -H \"Authorization: Bearer $TOKEN\" --data @cmd.json \\\n      "
      "http://127.0.0.1:8740/v1/commands\n"
      "  curl -H \"Authorization: Bearer $TOKEN\" -o owner.proof \\\n      "
      "http://127.0.0.1:8741/v1/proofs/state/d%2Flamp-0007\n"
      "  itc command sign --key owner.pem --device lamp-0007 --action on --proof owner.proof");
  sign->callback([&action, o] { action = [o] { return run_command_sign(*o); }; });
}

}  // namespace itc::cli
