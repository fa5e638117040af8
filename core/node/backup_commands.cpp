#include "backup_commands.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "host/config_file.hpp"
#include "sqlite_snapshot.hpp"

namespace itc::node {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLedgerFile = "ledger.sqlite";
constexpr const char* kKvFile = "plugin-kv.sqlite";
constexpr const char* kTokenFile = "admin.token";

// Where a node keeps what a backup holds.
struct NodeFiles {
  std::string ledger;  // the store plugin's ledger database
  std::string kv;      // the host's plugin key-value store
  std::string token;   // the admin API's bearer token (Prometheus, Studio and itc use it)
};

Result<NodeFiles> node_files(const std::string& config, const std::string& store) {
  auto file = host::load_node_file(config, nullptr);
  if (!file.ok()) return file.status();
  const std::string data_dir = file->node.data_dir();
  for (const host::PluginEntry& p : file->plugins) {
    if (p.name != store) continue;
    // store-sqlite's default, or its `path:` (absolute, or relative to the working directory
    // as the plugin reads it).
    std::string ledger = data_dir + "/plugins/" + p.name + "/" + kLedgerFile;
    if (p.config.IsMap() && p.config["path"] && !p.config["path"].as<std::string>().empty()) {
      ledger = fs::absolute(p.config["path"].as<std::string>()).string();
    }
    return NodeFiles{ledger, data_dir + "/" + kKvFile, data_dir + "/" + kTokenFile};
  }
  return Status::NotFound(config + ": no plugin named '" + store +
                          "' (the SQLite ledger store's entry; name it with --store)");
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Copies the admin token, if `from` has one, readable by its owner only (as the node
// writes it). A node without one creates a new token when it starts.
Status copy_token(const std::string& from, const std::string& to) {
  std::error_code ec;
  if (!fs::exists(from, ec)) return Status::Ok();
  fs::copy_file(from, to, ec);
  if (!ec) fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (ec)
    return Status::FailedPrecondition("cannot copy " + from + " to " + to + ": " + ec.message());
  return Status::Ok();
}

int fail(const Status& st) {
  std::fprintf(stderr, "itc-node: %s\n", st.message().c_str());
  return 1;
}

int backup(const std::string& config, const std::string& store, const std::string& dir) {
  auto files = node_files(config, store);
  if (!files.ok()) return fail(files.status());
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    return fail(
        Status::AlreadyExists(dir + " exists and is not empty: back up into a new directory"));
  }
  fs::create_directories(dir, ec);
  // The backup holds the admin token: only its owner may read the directory.
  if (!ec) fs::permissions(dir, fs::perms::owner_all, ec);
  if (ec) return fail(Status::FailedPrecondition("cannot create " + dir + ": " + ec.message()));
  const auto started = std::chrono::steady_clock::now();
  auto ledger = copy_database(files->ledger, dir + "/" + kLedgerFile);
  if (!ledger.ok()) return fail(ledger.status());
  auto kv = copy_database(files->kv, dir + "/" + kKvFile);
  if (!kv.ok()) return fail(kv.status());
  if (Status st = copy_token(files->token, dir + "/" + kTokenFile); !st.ok()) return fail(st);
  auto height = ledger_height(dir + "/" + kLedgerFile);
  if (!height.ok()) return fail(height.status());
  std::printf("backed up %s at height %llu (%llu bytes) and %s to %s in %.2f s\n",
              files->ledger.c_str(), static_cast<unsigned long long>(*height),
              static_cast<unsigned long long>(ledger->bytes), files->kv.c_str(), dir.c_str(),
              seconds_since(started));
  return 0;
}

int restore(const std::string& config, const std::string& store, const std::string& dir) {
  auto files = node_files(config, store);
  if (!files.ok()) return fail(files.status());
  const std::string ledger_from = dir + "/" + kLedgerFile;
  const std::string kv_from = dir + "/" + kKvFile;
  // Both checked before anything is written: a bad backup leaves the node as it was.
  for (const std::string& from : {ledger_from, kv_from}) {
    if (Status st = check_database(from); !st.ok()) {
      return fail(st.WithContext("backup " + dir));
    }
  }
  std::error_code ec;
  for (const std::string& to : {files->ledger, files->kv}) {
    if (fs::exists(to, ec)) {
      return fail(Status::AlreadyExists(
          to +
          " exists: restore fills a new or wiped node only (stop the node and move its "
          "data directory away first)"));
    }
  }
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> written;
  for (const auto& [from, to] : {std::pair{ledger_from, files->ledger}, {kv_from, files->kv}}) {
    fs::create_directories(fs::path(to).parent_path(), ec);
    Status st = ec ? Status::FailedPrecondition("cannot create " + to + ": " + ec.message())
                   : copy_database(from, to).status();
    if (!st.ok()) {
      // All or nothing: a half restore would be refused next time ("exists").
      for (const std::string& w : written) fs::remove(w, ec);
      return fail(st);
    }
    written.push_back(to);
  }
  if (!fs::exists(files->token, ec)) {
    if (Status st = copy_token(dir + "/" + kTokenFile, files->token); !st.ok()) return fail(st);
  }
  auto height = ledger_height(files->ledger);
  if (!height.ok()) return fail(height.status());
  std::printf(
      "restored %s at height %llu and %s in %.2f s; the node catches up from its peers when "
      "it starts\n",
      files->ledger.c_str(), static_cast<unsigned long long>(*height), files->kv.c_str(),
      seconds_since(started));
  return 0;
}

}  // namespace

BackupCommands::BackupCommands(CLI::App& app) {
  // --config and --store, which both commands take.
  const auto node_options = [this](CLI::App* cmd) {
    cmd->add_option("--config", config_, "The node's YAML config file")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--store", store_, "The plugin entry of the SQLite ledger store")
        ->capture_default_str();
  };
  backup_ = app.add_subcommand(
      "backup",
      "Copy a node's SQLite ledger and key-value store into a new directory, consistently, "
      "while the node runs (SQLite's online backup API)");
  node_options(backup_);
  backup_->add_option("--to", dir_, "A new (or empty) directory for the backup")->required();
  restore_ = app.add_subcommand(
      "restore",
      "Put a backup in place for a new or wiped node (refuses to overwrite a ledger); the "
      "node catches up from its peers when it starts");
  node_options(restore_);
  restore_->add_option("--from", dir_, "A directory written by itc-node backup")
      ->required()
      ->check(CLI::ExistingDirectory);
}

bool BackupCommands::chosen() const { return backup_->parsed() || restore_->parsed(); }

int BackupCommands::run() const {
  return backup_->parsed() ? backup(config_, store_, dir_) : restore(config_, store_, dir_);
}

}  // namespace itc::node
