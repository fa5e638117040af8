// store_bench [RUNS]: append throughput of the LedgerStore backends, measured through each
// plugin's service (loaded from its library) with durable commits: store-sqlite always,
// store-postgres when ITC_PG_CONNECTION (and ITC_PG_PASSWORD_FILE) reach a server. A
// throwaway server, as the tests use:
//   tests/ledger/pg_fixture.sh start /tmp/itc-pg 55433
//   export ITC_PG_CONNECTION="host=127.0.0.1 port=55433 dbname=itc user=postgres"
//   ITC_PG_PASSWORD_FILE=/tmp/itc-pg/password build/tests/ledger/store_bench
//   tests/ledger/pg_fixture.sh stop /tmp/itc-pg 55433
// Shapes: big blocks (10,000 readings, what solo cuts under load), the same on a growing
// ledger, and small blocks (100 readings: the per-commit cost a consensus round pays).
// Each run starts on an empty ledger; the figures are medians over RUNS runs (default 5).
// Not a test: it prints.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "itc/services/ledger_store.hpp"
#include "ledger_fixtures.hpp"
#include "pg_backend.hpp"
#include "store_backends.hpp"

namespace {

struct Shape {
  const char* name;
  int blocks;
  int readings;
  int state_entries;
};

struct Run {
  double readings_per_s;
  double blocks_per_s;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// The chain a shape appends, built (hashes and Merkle roots computed) before timing.
std::vector<itc::v1::Block> build_chain(const Shape& shape) {
  std::vector<itc::v1::Block> chain;
  std::string prev = itc::test::kGenesisPrev;
  for (int h = 1; h <= shape.blocks; ++h) {
    chain.push_back(
        itc::test::make_block(std::uint64_t(h), prev, shape.readings, h * shape.readings));
    prev = chain.back().hash();
  }
  return chain;
}

itc::v1::StateDelta delta_for(int height, int entries) {
  itc::v1::StateDelta delta;
  for (int i = 0; i < entries; ++i) {
    auto* e = delta.add_entries();
    e->set_key("a/" + std::to_string((height * 31 + i) % 5000));
    e->set_value(std::string(40, static_cast<char>('a' + i % 26)));
  }
  return delta;
}

// One run on a fresh ledger; nullopt (and a message) if the store cannot be opened or
// refuses a block.
std::optional<Run> run_once(itc::test::StoreBackend& backend, const Shape& shape,
                            const std::vector<itc::v1::Block>& chain,
                            const std::vector<itc::v1::StateDelta>& deltas) {
  itc::test::PluginHost host("bench");
  auto plugin = host.add(backend.library(), backend.fresh_config());
  if (!plugin.ok()) {
    std::printf("  %s: cannot open: %s\n", backend.name().c_str(),
                plugin.status().ToString().c_str());
    return std::nullopt;
  }
  auto* store = host.env().services().find<itc::LedgerStore>();
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < chain.size(); ++i) {
    itc::Status s = store->append(chain[i], deltas[i]);
    if (!s.ok()) {
      std::printf("  %s: append refused: %s\n", backend.name().c_str(), s.ToString().c_str());
      return std::nullopt;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Run{double(shape.blocks) * shape.readings / seconds, shape.blocks / seconds};
}

void bench(itc::test::StoreBackend& backend, const Shape& shape, int runs) {
  const auto chain = build_chain(shape);
  std::vector<itc::v1::StateDelta> deltas;
  for (int h = 1; h <= shape.blocks; ++h) deltas.push_back(delta_for(h, shape.state_entries));
  std::vector<double> readings, blocks;
  for (int r = 0; r < runs; ++r) {
    auto run = run_once(backend, shape, chain, deltas);
    if (!run) return;
    readings.push_back(run->readings_per_s);
    blocks.push_back(run->blocks_per_s);
  }
  std::printf(
      "  %-8s %-39s median %9.0f readings/s %8.1f blocks/s  (min %.0f, max %.0f readings/s; "
      "%zu bytes/block)\n",
      backend.name().c_str(), shape.name, median(readings), median(blocks),
      *std::min_element(readings.begin(), readings.end()),
      *std::max_element(readings.begin(), readings.end()), chain[0].ByteSizeLong());
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  setenv("ITC_PLUGIN_DIR", ITC_DEFAULT_PLUGIN_DIR, /*overwrite=*/0);
  const Shape shapes[] = {
      {"12 blocks x 10,000 readings, 10 keys", 12, 10000, 10},
      // A growing ledger (~1.2 million readings, ~100 MB): does the index slow appends down?
      {"120 blocks x 10,000 readings, 10 keys", 120, 10000, 10},
      {"200 blocks x 100 readings, 10 keys", 200, 100, 10},
  };
  std::printf("LedgerStore append, durable commits, medians of %d runs on empty ledgers\n", runs);
  itc::test::SqliteBackend sqlite;
  std::unique_ptr<itc::test::PostgresBackend> postgres;
  if (auto server = itc::test::postgres_server_from_env()) {
    postgres = std::make_unique<itc::test::PostgresBackend>(*server, "bench");
  } else {
    std::printf(
        "  postgres: skipped (set ITC_PG_CONNECTION, and ITC_PG_PASSWORD_FILE if the "
        "server wants a password)\n");
  }
  for (const auto& shape : shapes) {
    bench(sqlite, shape, runs);
    if (postgres) bench(*postgres, shape, runs);
  }
  return 0;
}
