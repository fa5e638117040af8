// itc: the vendor and operator tool of IoT Chain (keys, plugin packages, signed commands,
// main-chain networks, transactions and blocks).
#include <iostream>

#include "cli.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "itc - IoT Chain vendor and operator tool: Ed25519 keys, signed plugin packages "
      "(.itcpkg), owner-signed device commands, main-chain networks, transactions and "
      "blocks."};
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  itc plugin keygen --out vendor.pem\n"
      "  itc plugin pack build/plugins-out/libitc_normalize.so --out normalize.itcpkg\n"
      "  itc plugin sign normalize.itcpkg --key vendor.pem\n"
      "  itc plugin verify normalize.itcpkg --trust vendor.pem\n"
      "  itc command sign --key owner.pem --device lamp-0007 --action dim --level 40\n"
      "  itc network init --validators 4 --accounts 2 --out net/\n"
      "  itc tx transfer --genesis net/genesis.json --key net/account-0.pem --to <hex> --amount 5\n"
      "  itc chain verify-qc --genesis net/genesis.json --height 42\n"
      "  itc admin token create --role read --name grafana --node https://10.0.0.11:8740 "
      "--ca site-ca.pem\n"
      "Run 'itc <group> <command> --help' for each command's options.");

  itc::cli::Action action;
  itc::cli::add_plugin_commands(app, action);
  itc::cli::add_key_commands(app, action);
  itc::cli::add_command_commands(app, action);
  itc::cli::add_network_commands(app, action);
  itc::cli::add_tx_commands(app, action);
  itc::cli::add_analytics_commands(app, action);
  itc::cli::add_chain_commands(app, action);
  itc::cli::add_dag_commands(app, action);
  itc::cli::add_admin_commands(app, action);
  itc::cli::add_validator_commands(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the usage error
    return itc::cli::kExitUsage;
  }
  if (!action) {
    std::cerr << "itc: no command given; see 'itc --help'\n";
    return itc::cli::kExitUsage;
  }
  try {
    return action();
  } catch (const std::exception& e) {
    std::cerr << "itc: unexpected error: " << e.what() << "\n";
    return itc::cli::kExitFailed;
  }
}
