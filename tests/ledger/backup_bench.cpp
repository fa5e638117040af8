// backup_bench [MB] [RUNS]: how long `itc-node backup` and `itc-node restore` take on a
// store-sqlite ledger of about MB megabytes (default 1024). The ledger is written through
// the real store-sqlite plugin (blocks of 10,000 readings, as solo cuts them under load);
// then the itc-node executable backs it up and restores it onto an empty data directory
// RUNS times (default 3) and the medians are printed, with the copy rate. Not a test: it
// prints, and ctest never runs it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "host/kv_store.hpp"
#include "itc/services/ledger_store.hpp"
#include "ledger_fixtures.hpp"
#include "plugin_harness.hpp"
#include "store_backends.hpp"

namespace {

namespace fs = std::filesystem;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A node config whose data directory is `data_dir`, with the store-sqlite entry.
std::string write_config(const std::string& path, const std::string& data_dir) {
  std::ofstream out(path);
  out << "node: {name: bench, data_dir: " << data_dir << ", admin: {listen: \"off\"}}\n"
      << "plugins:\n  - name: store-sqlite\n    library: " << ITC_DEFAULT_PLUGIN_DIR << "/"
      << itc::test::kSqliteStoreLibrary << "\n";
  return path;
}

// Wall-clock seconds of `command`; exits the bench if it fails.
double timed(const std::string& command) {
  const auto start = std::chrono::steady_clock::now();
  if (std::system((command + " >/dev/null").c_str()) != 0) {
    std::fprintf(stderr, "failed: %s\n", command.c_str());
    std::exit(1);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t mb = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1024;
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  setenv("ITC_PLUGIN_DIR", ITC_DEFAULT_PLUGIN_DIR, /*overwrite=*/0);
  itc::test::TempDir dir;
  const std::string data = dir.file("data");
  const std::string ledger = data + "/plugins/store-sqlite/ledger.sqlite";
  fs::create_directories(fs::path(ledger).parent_path());
  if (!itc::host::KvStore::open(data + "/plugin-kv.sqlite").ok()) {
    std::fprintf(stderr, "cannot create the key-value store\n");
    return 1;
  }

  // The ledger, grown to the size asked for through the plugin's LedgerStore service.
  const auto fill_start = std::chrono::steady_clock::now();
  std::uint64_t height = 0;
  {
    itc::test::PluginHost host("bench");
    auto plugin = host.add(itc::test::kSqliteStoreLibrary, itc::test::sqlite_store_config(ledger));
    if (!plugin.ok()) {
      std::fprintf(stderr, "store-sqlite: %s\n", plugin.status().ToString().c_str());
      return 1;
    }
    auto* store = host.env().services().find<itc::LedgerStore>();
    std::string prev = itc::test::kGenesisPrev;
    std::error_code ec;
    while (fs::file_size(ledger, ec) + fs::file_size(ledger + "-wal", ec) < mb << 20) {
      ++height;
      const auto block = itc::test::make_block(height, prev, 10000, int(height) * 10000);
      if (itc::Status s = store->append(block, {}); !s.ok()) {
        std::fprintf(stderr, "append refused: %s\n", s.ToString().c_str());
        return 1;
      }
      prev = block.hash();
    }
    (void)host.shutdown();
  }
  const double bytes = double(fs::file_size(ledger));
  std::printf("ledger: %.0f MB, %llu blocks x 10,000 readings (written in %.0f s)\n",
              bytes / (1 << 20), static_cast<unsigned long long>(height),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_start).count());

  const std::string node = write_config(dir.file("node.yaml"), data);
  const std::string fresh = write_config(dir.file("restored.yaml"), dir.file("restored"));
  std::vector<double> backups, restores;
  for (int r = 0; r < runs; ++r) {
    fs::remove_all(dir.file("backup"));
    fs::remove_all(dir.file("restored"));
    backups.push_back(timed(std::string(ITC_NODE_BIN) + " backup --config " + node + " --to " +
                            dir.file("backup")));
    restores.push_back(timed(std::string(ITC_NODE_BIN) + " restore --config " + fresh + " --from " +
                             dir.file("backup")));
  }
  const double mbytes = bytes / (1 << 20);
  std::printf("itc-node backup:  median %.2f s (%.0f MB/s), min %.2f, max %.2f over %d runs\n",
              median(backups), mbytes / median(backups),
              *std::min_element(backups.begin(), backups.end()),
              *std::max_element(backups.begin(), backups.end()), runs);
  std::printf("itc-node restore: median %.2f s (%.0f MB/s), min %.2f, max %.2f over %d runs\n",
              median(restores), mbytes / median(restores),
              *std::min_element(restores.begin(), restores.end()),
              *std::max_element(restores.begin(), restores.end()), runs);
  return 0;
}
