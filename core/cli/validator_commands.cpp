// `itc validators approve`: a current validator signs a proposed validator-set change (a
// Reconfigure in JSON: epoch and the new validators, as in genesis.json). Each approver
// adds its signature to the file in turn; `itc tx reconfigure --proposal FILE` submits
// it once 2f+1 have (plugins/cyber/pbft/README.md, "Epochs").
#include <google/protobuf/util/json_util.h>

#include <iostream>
#include <memory>

#include "cli.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/validators.hpp"

namespace itc::cli {
namespace {

namespace pb = google::protobuf;

struct ApproveOptions {
  std::string proposal;
  std::string key_file;
  std::string genesis_file;
  std::string current_file;  // the current epoch's set, when it is not the genesis'
  std::string out;
};

int run_approve(const ApproveOptions& o) {
  auto genesis = ledger::load_genesis(o.genesis_file);
  if (!genesis.ok()) return fail(genesis.status());
  auto key = crypto::Ed25519PrivateKey::load_pem_file(o.key_file);
  if (!key.ok()) return fail(key.status());
  auto text = read_file(o.proposal);
  if (!text.ok()) return fail(text.status());
  v1::Reconfigure change;
  if (Status s = parse_message(*text, o.proposal, &change); !s.ok()) return fail(s);

  v1::ValidatorEpoch current;
  *current.mutable_validators() = genesis->validators();
  if (!o.current_file.empty()) {
    auto cur = read_file(o.current_file);
    if (!cur.ok()) return fail(cur.status());
    current.Clear();
    if (Status s = parse_message(*cur, o.current_file, &current); !s.ok()) return fail(s);
  }
  if (change.epoch() != current.epoch() + 1) {
    return fail(Status::InvalidArgument(
        o.proposal + ": epoch " + std::to_string(change.epoch()) +
        ", but the current set is of epoch " + std::to_string(current.epoch()) +
        (o.current_file.empty() ? " (the genesis'; pass --current)" : "")));
  }
  int index = -1;
  for (int i = 0; i < current.validators_size(); ++i) {
    if (current.validators(i).public_key() == key->public_key()) index = i;
  }
  if (index < 0) {
    return fail(Status::PermissionDenied(
        o.key_file + " is not a validator of epoch " + std::to_string(current.epoch()) +
        " (its key " + crypto::to_hex(key->public_key()).substr(0, 16) + "... is not in the set)"));
  }
  for (const v1::ValidatorSignature& a : change.approvals()) {
    if (a.validator() == static_cast<std::uint32_t>(index)) {
      return fail(Status::AlreadyExists(current.validators(index).name() +
                                        " has already approved " + o.proposal));
    }
  }
  v1::ValidatorSignature* approval = change.add_approvals();
  approval->set_validator(static_cast<std::uint32_t>(index));
  approval->set_signature(key->sign(
      ledger::reconfigure_signing_bytes(genesis->chain_id(), change.epoch(), change.validators())));

  std::string json;
  pb::util::JsonPrintOptions pretty;
  pretty.add_whitespace = true;
  if (!pb::util::MessageToJsonString(change, &json, pretty).ok()) {
    return fail(Status::Internal("cannot encode the proposal as JSON"));
  }
  if (Status s = write_output(o.out.empty() ? o.proposal : o.out, json); !s.ok()) return fail(s);
  const std::uint32_t n = static_cast<std::uint32_t>(current.validators_size());
  const std::uint32_t quorum = 2 * ((n - 1) / 3) + 1;
  std::cerr << current.validators(index).name() << " approved epoch " << change.epoch() << ": "
            << change.approvals_size() << " of the " << quorum << " approvals it needs\n";
  return kExitOk;
}

}  // namespace

void add_validator_commands(CLI::App& app, Action& action) {
  auto* group = app.add_subcommand("validators", "Change the validator set (epochs)");
  group->require_subcommand(1);
  group->footer(
      "A proposal is a Reconfigure in JSON: {\"epoch\": E, \"validators\": [{\"name\", "
      "\"publicKey\" (base64), \"address\"}, ...]} naming the whole new set.\n"
      "Example (three of four validators approve, then any funded account submits):\n"
      "  itc validators approve proposal.json --key net/validator-0.pem --genesis "
      "net/genesis.json\n"
      "  itc tx reconfigure --proposal proposal.json --key net/account-0.pem "
      "--genesis net/genesis.json");
  auto o = std::make_shared<ApproveOptions>();
  auto* approve = group->add_subcommand(
      "approve", "Sign a proposed validator set with a current validator's key");
  approve->add_option("PROPOSAL", o->proposal, "The proposal (JSON); the approval is added to it")
      ->required();
  approve->add_option("--key", o->key_file, "This validator's Ed25519 private key (PEM)")
      ->required();
  approve->add_option("--genesis", o->genesis_file, "The network's genesis.json (its chain id)")
      ->required();
  approve->add_option("--current", o->current_file,
                      "The current epoch's set as JSON ({\"epoch\", \"validators\"}); default: "
                      "the genesis validators, epoch 0");
  approve->add_option("--out", o->out, "Write the approved proposal here instead ('-': stdout)");
  approve->callback([&action, o] { action = [o] { return run_approve(*o); }; });
}

}  // namespace itc::cli
