// itc: the vendor and operator tool of IoT Chain (keys, plugin packages, signed commands).
#include <iostream>

#include "cli.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "itc - IoT Chain vendor and operator tool: Ed25519 keys, signed plugin packages "
      "(.itcpkg) and owner-signed device commands."};
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  itc plugin keygen --out vendor.pem\n"
      "  itc plugin pack build/plugins-out/libitc_normalize.so --out normalize.itcpkg\n"
      "  itc plugin sign normalize.itcpkg --key vendor.pem\n"
      "  itc plugin verify normalize.itcpkg --trust vendor.pem\n"
      "  itc command sign --key owner.pem --device lamp-0007 --action dim --level 40\n"
      "Run 'itc <group> <command> --help' for each command's options.");

  itc::cli::Action action;
  itc::cli::add_plugin_commands(app, action);
  itc::cli::add_key_commands(app, action);
  itc::cli::add_command_commands(app, action);

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
