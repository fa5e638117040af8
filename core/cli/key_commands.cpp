// `itc key ...`: inspecting Ed25519 keys.
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "itc/crypto.hpp"

namespace itc::cli {

void add_key_commands(CLI::App& app, Action& action) {
  auto* group = app.add_subcommand("key", "Inspect Ed25519 keys");
  group->require_subcommand(1);

  auto* pub = group->add_subcommand(
      "public", "Print the hex public key of a PEM key file (private or public key)");
  auto file = std::make_shared<std::string>();
  pub->add_option("FILE", *file, "PEM file holding an Ed25519 private or public key")->required();
  pub->footer("Example:\n  itc key public owner.pem   # prints 64 hex digits");
  pub->callback([&action, file] {
    action = [file] {
      auto key = crypto::load_public_key(*file);
      if (!key.ok()) return fail(key.status());
      std::cout << crypto::to_hex(*key) << "\n";
      return kExitOk;
    };
  });
}

}  // namespace itc::cli
