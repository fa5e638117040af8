// Fuzzing of solo's journal decoder (the uncommitted-readings.pb a stop saves and the next
// start reads, pending_journal.cpp) through the real plugin: random, mutated and truncated
// files with fixed seeds. No crash, no hang; a file that is not a journal stops start()
// with Corruption naming it and is kept.
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <random>

#include "ledger_fixtures.hpp"
#include "plugin_harness.hpp"

using itc::Status;

namespace {

std::string valid_journal(int readings) {
  std::string out;
  for (int i = 0; i < readings; ++i) {
    out += itc::test::bytes_field(1, itc::test::make_reading(i).SerializeAsString());
  }
  return out + itc::test::varint_field(3, 0);
}

}  // namespace

class SoloJournalFuzzTest : public QObject {
  Q_OBJECT

 private slots:
  void fuzzTheJournalWithRandomMutatedAndTruncatedFiles() {
    itc::test::TempDir dir;
    itc::test::PluginHost host;
    auto& env = host.env();
    QVERIFY(
        host.add("libitc-store-sqlite.so", itc::test::bytes_field(1, dir.file("l.sqlite"))).ok());
    QVERIFY(host.start_all().ok());
    const std::string journal = env.data_dir() + "/uncommitted-readings.pb";
    const std::string config = itc::test::varint_field(1, 60000);

    std::size_t refused = 0, loaded = 0;
    auto feed = [&](const std::string& bytes) {
      std::ofstream(journal, std::ios::binary | std::ios::trunc) << bytes;
      auto solo = host.load("libitc-solo.so");
      QVERIFY(solo.ok());
      QVERIFY((*solo)->initialise(env, config).ok());
      Status s = (*solo)->start();
      if (s.ok()) {
        ++loaded;  // (its readings are committed, or kept if the store refuses them)
        (void)(*solo)->drain();
      } else {
        ++refused;
        QCOMPARE(s.code(), Status::Code::kCorruption);
        QVERIFY2(s.message().find(journal) != std::string::npos, s.message().c_str());
        QVERIFY2(s.message().find("move it aside") != std::string::npos, s.message().c_str());
        QVERIFY(std::filesystem::exists(journal));
      }
      host.stop(*solo);
    };

    std::mt19937_64 rng(20261203);
    auto byte = [&] { return static_cast<char>(rng() & 0xff); };
    for (int i = 0; i < 400; ++i) {  // random bytes
      std::string bytes(rng() % 200, '\0');
      for (auto& c : bytes) c = byte();
      feed(bytes);
    }
    const std::string valid = valid_journal(3);
    for (int i = 0; i < 400; ++i) {  // mutated: 1..4 bytes changed
      std::string bytes = valid;
      for (int m = 0, n = 1 + static_cast<int>(rng() % 4); m < n; ++m) {
        bytes[rng() % bytes.size()] = byte();
      }
      feed(bytes);
    }
    for (std::size_t len = 0; len <= valid.size(); ++len) feed(valid.substr(0, len));  // cut
    qInfo("%zu journals refused, %zu loaded", refused, loaded);
    QVERIFY(refused > 0 && loaded > 0);
  }
};

QTEST_GUILESS_MAIN(SoloJournalFuzzTest)
#include "solo_journal_fuzz_test.moc"
