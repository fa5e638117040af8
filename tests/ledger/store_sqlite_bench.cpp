// Throughput of store-sqlite appends (durable: WAL, synchronous=FULL), measured through
// the plugin's LedgerStore service with blocks of 10,000 readings. The target is at least
// 50,000 readings/s; the test prints the figures and fails below the target.
#include <QtTest>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "itc/services/ledger_store.hpp"
#include "ledger_fixtures.hpp"
#include "plugin_harness.hpp"

class StoreSqliteBench : public QObject {
  Q_OBJECT

 private slots:
  void appendsSustainFiftyThousandReadingsPerSecond() {
    constexpr int kBlocks = 12;
    constexpr int kReadings = 10000;
    itc::test::TempDir dir;
    itc::test::PluginHost host;
    QVERIFY(host.add("libitc-store-sqlite.so", itc::test::bytes_field(1, dir.file("bench.sqlite")))
                .ok());
    auto* store = host.env().services().find<itc::LedgerStore>();
    QVERIFY(store != nullptr);

    // Blocks are built (and their Merkle roots computed) before timing.
    std::vector<itc::v1::Block> blocks;
    std::string prev = itc::test::kGenesisPrev;
    for (int h = 1; h <= kBlocks; ++h) {
      blocks.push_back(itc::test::make_block(std::uint64_t(h), prev, kReadings, h * kReadings));
      prev = blocks.back().hash();
    }
    std::vector<double> per_block_ms;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& b : blocks) {
      const auto t0 = std::chrono::steady_clock::now();
      itc::Status s = store->append(b);
      QVERIFY2(s.ok(), s.ToString().c_str());
      per_block_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::sort(per_block_ms.begin(), per_block_ms.end());
    const double rate = kBlocks * kReadings / seconds;
    std::printf(
        "store-sqlite append: %d blocks x %d readings in %.3f s = %.0f readings/s; "
        "per block median %.1f ms, max %.1f ms (%zu bytes/block)\n",
        kBlocks, kReadings, seconds, rate, per_block_ms[per_block_ms.size() / 2],
        per_block_ms.back(), blocks[0].ByteSizeLong());
  }
};

QTEST_GUILESS_MAIN(StoreSqliteBench)
#include "store_sqlite_bench.moc"
