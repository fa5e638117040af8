// itc-light: the light client on the command line (see light_cli.hpp).
#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>

#include "light_cli.hpp"

namespace {

using itc::light::cli::Options;

void add_node(CLI::App* c, Options& o) { itc::cli::add_node_options(c, o.node); }

}  // namespace

int main(int argc, char** argv) {
  namespace lc = itc::light::cli;
  CLI::App app{
      "itc-light - an IoT Chain light client: trusts a genesis (or checkpoint) and one "
      "quorum-certified header, and checks every answer a node gives against them."};
  app.require_subcommand(1);
  Options o;
  app.add_option("--state", o.state_file, "The light client's state file")
      ->envname("ITC_LIGHT_STATE")
      ->capture_default_str();
  std::function<int()> action;

  auto* init = app.add_subcommand("init", "Trust a genesis' validators (and a checkpoint)");
  init->add_option("--genesis", o.genesis_file, "The network's genesis.json")->required();
  init->add_option("--checkpoint", o.checkpoint,
                   "HEIGHT:HASH of a block you trust (its hash in hex)");
  init->add_option("--trust-period-days", o.trust_period_days,
                   "Refuse to go on when the trusted header is older than this (0: never)")
      ->capture_default_str();
  init->callback([&] { action = [&] { return lc::run_init(o); }; });

  auto* sync = app.add_subcommand("sync", "Adopt the node's newest certified header");
  add_node(sync, o);
  auto* witness =
      sync->add_option("--witness", o.witness.url, "A second node that must serve the same header");
  sync->add_option("--witness-token-file", o.witness.token_file, "The witness' admin token");
  sync->callback([&, witness] {
    o.has_witness = witness->count() > 0;
    action = [&] { return lc::run_sync(o); };
  });

  auto* owner = app.add_subcommand("owner", "Who owns DEVICE, proven against the trusted state");
  owner->add_option("DEVICE", o.argument, "Device id")->required();
  add_node(owner, o);
  owner->callback([&] { action = [&] { return lc::run_owner(o); }; });

  auto* balance = app.add_subcommand("balance", "An account's balance and nonce, proven");
  balance->add_option("ACCOUNT", o.argument, "Public key (64 hex digits) or a PEM key file")
      ->required();
  add_node(balance, o);
  balance->callback([&] { action = [&] { return lc::run_balance(o); }; });

  auto* tx = app.add_subcommand("tx", "That transaction ID is in a certified block");
  tx->add_option("ID", o.argument, "Transaction id (64 hex digits)")->required();
  tx->add_option("--height", o.height, "The block that holds it (default: search the newest)");
  add_node(tx, o);
  tx->callback([&] { action = [&] { return lc::run_tx(o); }; });

  auto* dag = app.add_subcommand("dag", "That device transaction ID is final on the DAG");
  dag->add_option("ID", o.argument, "Device transaction id (64 hex digits)")->required();
  add_node(dag, o);
  dag->callback([&] { action = [&] { return lc::run_dag(o); }; });

  auto* reading = app.add_subcommand("reading", "Reading INDEX of block HEIGHT, proven");
  reading->add_option("HEIGHT", o.height, "Block height")->required();
  reading->add_option("INDEX", o.index, "The reading's index in the block")->required();
  add_node(reading, o);
  reading->callback([&] { action = [&] { return lc::run_reading(o); }; });

  app.footer(
      "Exit codes: 0 verified, 1 refused or failed, 2 bad usage, 3 attack (conflicting "
      "certified headers).\nExamples:\n"
      "  itc-light init --genesis net/genesis.json\n"
      "  itc-light sync --node http://127.0.0.1:8740 --token-file n0/admin.token \\\n"
      "      --witness http://127.0.0.1:8741 --witness-token-file n1/admin.token\n"
      "  itc-light owner v0-lamp-000001 --node http://127.0.0.1:8740 --token-file n0/admin.token");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : lc::kExitUsage;
  }
  try {
    return action ? action() : lc::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "itc-light: unexpected error: " << e.what() << "\n";
    return lc::kExitRefused;
  }
}
