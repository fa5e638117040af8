// `itc-node backup` and `itc-node restore`: an online snapshot of a node's SQLite state
// (the store-sqlite ledger and the host's plugin key-value store) and its admin token
// into a directory (mode 0700), and that directory put in place for a new or wiped node,
// which then catches up from its peers. The node's config file says where the files are.
// deploy/README.md, "Back up and restore", is the operator's view.
// Thread safety: used once, from main's thread.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace itc::node {

class BackupCommands {
 public:
  // Registers the `backup` and `restore` subcommands on `app`.
  explicit BackupCommands(CLI::App& app);

  // True if the command line chose one of them; run() then does it and returns the exit
  // status: 0 done, 1 refused or failed (the message on stderr says which file and why).
  bool chosen() const;
  int run() const;

 private:
  CLI::App* backup_ = nullptr;
  CLI::App* restore_ = nullptr;
  std::string config_;
  std::string dir_;
  std::string store_ = "store-sqlite";
};

}  // namespace itc::node
