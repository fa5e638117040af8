// Behaviour of the solo ordering plugin, loaded from its library on a manual clock, on
// top of the real store-sqlite plugin (or, to make appends fail, a refusing store).
#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <vector>

#include "itc/bus.hpp"
#include "itc/file_io.hpp"
#include "itc/services/ledger_store.hpp"
#include "itc/services/node_lifecycle.hpp"
#include "ledger_fixtures.hpp"
#include "plugin_harness.hpp"

using namespace std::chrono_literals;
using itc::Status;
using itc::v1::BlockCommitted;

namespace {

constexpr const char* kStore = "libitc-store-sqlite.so";
constexpr const char* kSolo = "libitc-solo.so";

std::string solo_config(std::uint32_t interval_ms, std::uint32_t max_readings,
                        std::uint32_t max_pending = 0) {
  return itc::test::varint_field(1, interval_ms) + itc::test::varint_field(2, max_readings) +
         (max_pending ? itc::test::varint_field(3, max_pending) : "");
}

// The host's itc.node-lifecycle.v1 service, switched by the test.
class TestLifecycle : public itc::NodeLifecycle {
 public:
  bool stopping() const override { return stopping_; }
  std::uint64_t interruptions() const override { return 0; }
  bool stopping_ = false;
};

std::string journal_path(itc::testing::FakeEnv& env) {
  return env.data_dir() + "/uncommitted-readings.pb";
}

// Solo started on `store`, with `node` as the host's lifecycle service; null on failure.
itc::Plugin* start_stoppable_solo(itc::test::PluginHost& host, itc::LedgerStore& store,
                                  TestLifecycle& node) {
  auto& services = host.env().services();
  if (!services.provide<itc::LedgerStore>(&store).ok()) return nullptr;
  if (!services.provide<itc::NodeLifecycle>(&node).ok()) return nullptr;
  auto solo = host.add(kSolo, solo_config(200, 10000));
  if (!solo.ok() || !host.start_all().ok()) return nullptr;
  return *solo;
}

void publish_readings(itc::testing::FakeEnv& env, int n, int first = 0) {
  for (int i = 0; i < n; ++i) {
    auto r = itc::test::make_reading(first + i, env.clock().unix_micros() - 50'000);
    QVERIFY(env.bus().publish_value(itc::topics::kReadings, r).ok());
  }
}

std::vector<BlockCommitted> committed(itc::testing::FakeEnv& env) {
  return env.bus().published_as<BlockCommitted>(itc::topics::kBlocks);
}

// A LedgerStore that refuses the first `refusals` appends, then keeps blocks in memory.
class RefusingStore : public itc::LedgerStore {
 public:
  explicit RefusingStore(int refusals) : refusals_(refusals) {}
  using itc::LedgerStore::append;
  Status append(const itc::v1::Block& block, const itc::v1::StateDelta&) override {
    if (refusals_ > 0) {
      --refusals_;
      return Status::Unavailable("disk full (test)");
    }
    blocks_.push_back(block);
    return Status::Ok();
  }
  itc::Result<std::optional<BlockCommitted>> head() override {
    if (blocks_.empty()) return std::optional<BlockCommitted>();
    BlockCommitted c;
    *c.mutable_header() = blocks_.back().header();
    c.set_hash(blocks_.back().hash());
    return std::optional<BlockCommitted>(c);
  }
  itc::Result<itc::v1::Block> block(std::uint64_t height) override {
    if (height == 0 || height > blocks_.size()) return Status::NotFound("no block");
    return blocks_[height - 1];
  }
  itc::Result<std::optional<std::string>> state_value(std::string_view) override {
    return std::optional<std::string>();
  }
  Status scan_state(const StateVisitor&) override { return Status::Ok(); }
  itc::Result<std::vector<itc::v1::Reading>> readings(std::string_view, std::uint64_t,
                                                      std::size_t) override {
    return std::vector<itc::v1::Reading>();
  }
  const std::vector<itc::v1::Block>& blocks() const { return blocks_; }
  void heal() { refusals_ = 0; }

 private:
  int refusals_;
  std::vector<itc::v1::Block> blocks_;
};

}  // namespace

class SoloTest : public QObject {
  Q_OBJECT

 private:
  itc::test::TempDir dir_;
  std::string store_path_;

  // Store and solo on a fresh FakeEnv over store_path_, both started.
  std::unique_ptr<itc::test::PluginHost> start_node(const std::string& solo_cfg,
                                                    itc::Plugin** solo = nullptr) {
    auto host = std::make_unique<itc::test::PluginHost>("solo-node");
    auto store = host->add(kStore, itc::test::bytes_field(1, store_path_));
    if (!store.ok()) qWarning("%s", store.status().ToString().c_str());
    auto s = host->add(kSolo, solo_cfg);
    if (!s.ok()) qWarning("%s", s.status().ToString().c_str());
    if (!store.ok() || !s.ok()) return nullptr;
    if (Status started = host->start_all(); !started.ok()) {
      qWarning("%s", started.ToString().c_str());
      return nullptr;
    }
    if (solo) *solo = *s;
    return host;
  }

 private slots:
  void init() {
    static int n = 0;
    store_path_ = dir_.file("solo-" + std::to_string(++n) + ".sqlite");
  }

  void cutsABlockAsSoonAsItIsFull() {
    auto host = start_node(solo_config(60000, 100));
    QVERIFY(host);
    auto& env = host->env();
    publish_readings(env, 250);

    auto blocks = committed(env);
    QCOMPARE(blocks.size(), std::size_t(2));
    QCOMPARE(blocks[0].header().height(), 1u);
    QCOMPARE(blocks[0].header().reading_count(), 100u);
    QCOMPARE(blocks[0].header().prev_hash(), itc::test::kGenesisPrev);
    QCOMPARE(blocks[0].header().producer(), std::string("solo-node"));
    QCOMPARE(blocks[1].header().height(), 2u);
    QCOMPARE(blocks[1].header().prev_hash(), blocks[0].hash());

    auto* store = env.services().find<itc::LedgerStore>();
    auto stored = store->block(2);
    QVERIFY(stored.ok());
    QCOMPARE(stored->readings(0).frame_seq(), 100u);  // arrival order is kept
    QCOMPARE(stored->hash(), blocks[1].hash());

    QCOMPARE(env.metrics().counter_value("blocks_committed"), 2u);
    QCOMPARE(env.metrics().counter_value("readings_committed"), 200u);
    QCOMPARE(env.metrics().gauge_value("height"), 2.0);
    QCOMPARE(env.metrics().gauge_value("pending_readings"), 50.0);
  }

  void cutsWhatIsPendingEveryInterval() {
    auto host = start_node(solo_config(200, 10000));
    QVERIFY(host);
    auto& env = host->env();
    publish_readings(env, 5);
    env.advance(199ms);
    QCOMPARE(committed(env).size(), std::size_t(0));
    env.advance(1ms);
    auto blocks = committed(env);
    QCOMPARE(blocks.size(), std::size_t(1));
    QCOMPARE(blocks[0].header().reading_count(), 5u);
    // The readings were sampled 50 ms before they arrived, 200 ms before the cut.
    QCOMPARE(env.metrics().gauge_value("last_block_latency_seconds"), 0.25);
    QCOMPARE(blocks[0].committed_at_us() - blocks[0].oldest_sample_us(), 250'000);

    env.advance(1s);  // nothing pending: no empty blocks
    QCOMPARE(committed(env).size(), std::size_t(1));
  }

  void resumesFromTheStoreHeadAfterRestart() {
    std::string first_hash;
    {
      auto host = start_node(solo_config(200, 10000));
      QVERIFY(host);
      publish_readings(host->env(), 3);
      host->env().advance(200ms);
      QCOMPARE(committed(host->env()).size(), std::size_t(1));
      first_hash = committed(host->env())[0].hash();
      QVERIFY(host->shutdown().ok());
    }
    auto host = start_node(solo_config(200, 10000));
    QVERIFY(host);
    publish_readings(host->env(), 4, 3);
    host->env().advance(200ms);
    auto blocks = committed(host->env());
    QCOMPARE(blocks.size(), std::size_t(1));
    QCOMPARE(blocks[0].header().height(), 2u);
    QCOMPARE(blocks[0].header().prev_hash(), first_hash);
    QCOMPARE(host->env().metrics().gauge_value("height"), 2.0);
  }

  void drainCutsAFinalBlockAndStateCarriesLateReadings() {
    itc::Plugin* solo = nullptr;
    auto host = start_node(solo_config(60000, 10000), &solo);
    QVERIFY(host);
    auto& env = host->env();
    publish_readings(env, 7);
    QVERIFY(solo->drain().ok());
    auto blocks = committed(env);
    QCOMPARE(blocks.size(), std::size_t(1));
    QCOMPARE(blocks[0].header().reading_count(), 7u);

    // After drain nothing is produced; readings that still arrive go into the state.
    publish_readings(env, 2, 7);
    env.advance(120s);
    QCOMPARE(committed(env).size(), std::size_t(1));
    itc::v1::PluginState state;
    QVERIFY(solo->export_state(&state).ok());
    QCOMPARE(state.type(), std::string("itc.solo.PendingReadings"));
    host->stop(solo);

    // The successor adopts them and commits them on top of the same head.
    auto successor = host->load(kSolo);
    QVERIFY(successor.ok());
    QVERIFY((*successor)->initialise(env, solo_config(60000, 10000)).ok());
    QVERIFY((*successor)->import_state(state).ok());
    QVERIFY((*successor)->start().ok());
    QVERIFY((*successor)->drain().ok());
    blocks = committed(env);
    QCOMPARE(blocks.size(), std::size_t(2));
    QCOMPARE(blocks[1].header().height(), 2u);
    QCOMPARE(blocks[1].header().reading_count(), 2u);
  }

  void refusedAppendIsLoggedAndItsReadingsKept() {
    RefusingStore store(1);
    itc::test::PluginHost host;
    auto& env = host.env();
    QVERIFY(env.services().provide<itc::LedgerStore>(&store).ok());
    QVERIFY(host.add(kSolo, solo_config(200, 10000)).ok());
    QVERIFY(host.start_all().ok());
    publish_readings(env, 5);
    env.advance(200ms);
    QCOMPARE(committed(env).size(), std::size_t(0));
    QVERIFY(env.log().contains("block 1 with 5 readings not committed"));
    QVERIFY(env.log().contains("disk full (test)"));
    QCOMPARE(env.metrics().gauge_value("pending_readings"), 5.0);

    env.advance(200ms);
    QCOMPARE(committed(env).size(), std::size_t(1));
    QCOMPARE(store.blocks().size(), std::size_t(1));
    QCOMPARE(store.blocks()[0].readings_size(), 5);
    QCOMPARE(store.blocks()[0].header().height(), 1u);
    QVERIFY(host.shutdown().ok());
  }

  void drainReportsReadingsItCouldNotCommit() {
    RefusingStore store(100);
    itc::test::PluginHost host;
    QVERIFY(host.env().services().provide<itc::LedgerStore>(&store).ok());
    auto solo = host.add(kSolo, solo_config(200, 10000));
    QVERIFY(solo.ok());
    QVERIFY(host.start_all().ok());
    publish_readings(host.env(), 3);
    Status s = (*solo)->drain();
    QCOMPARE(s.code(), Status::Code::kUnavailable);
    QVERIFY2(s.message().find("3 readings") != std::string::npos, s.message().c_str());
    itc::v1::PluginState state;
    QVERIFY((*solo)->export_state(&state).ok());
    QVERIFY(!state.data().empty());
  }

  void aStopSavesWhatTheStoreRefusedAndTheNextStartCommitsItOnce() {
    RefusingStore store(1000000);  // a full disk
    std::string saved;
    {
      itc::test::PluginHost host;
      TestLifecycle node;
      auto& env = host.env();
      itc::Plugin* solo = start_stoppable_solo(host, store, node);
      QVERIFY(solo);
      publish_readings(env, 5);
      env.advance(200ms);
      node.stopping_ = true;
      QVERIFY(solo->drain().ok());
      QVERIFY(env.log().contains("5 readings could not be committed"));
      QVERIFY(env.log().contains("committed first at the next start: nothing is lost"));
      auto bytes = itc::read_file(journal_path(env));
      QVERIFY(bytes.ok());
      saved = *bytes;
      host.stop(solo);
    }
    store.heal();  // room on the disk again
    // A node restarted on the same data dir (the journal copied into the fresh one).
    auto restart = [&] {
      auto host = std::make_unique<itc::test::PluginHost>();
      QVERIFY(host->env().services().provide<itc::LedgerStore>(&store).ok());
      std::ofstream(journal_path(host->env()), std::ios::binary) << saved;
      QVERIFY(host->add(kSolo, solo_config(200, 10000)).ok());
      QVERIFY(host->start_all().ok());
      QVERIFY(!std::filesystem::exists(journal_path(host->env())));
      QVERIFY(host->env().log().contains("saved by the last stop are committed first"));
      QVERIFY(host->shutdown().ok());
    };
    restart();
    QCOMPARE(store.blocks().size(), std::size_t(1));
    QCOMPARE(store.blocks()[0].readings_size(), 5);
    QCOMPARE(store.blocks()[0].readings(0).frame_seq(), 0u);
    // A crash after that block but before the file was removed: not committed twice.
    restart();
    QCOMPARE(store.blocks().size(), std::size_t(1));
  }

  void aRestartAfterAFailedSwapDoesNotLoadTheJournalTwice() {
    RefusingStore store(1000000);
    itc::test::PluginHost host;
    auto& env = host.env();
    QVERIFY(env.services().provide<itc::LedgerStore>(&store).ok());
    std::string journal;
    for (int i = 0; i < 5; ++i) {
      journal += itc::test::bytes_field(1, itc::test::make_reading(i).SerializeAsString());
    }
    std::ofstream(journal_path(env), std::ios::binary) << journal;
    auto solo = host.add(kSolo, solo_config(200, 10000));
    QVERIFY(solo.ok());
    QVERIFY(host.start_all().ok());
    QCOMPARE(env.metrics().gauge_value("pending_readings"), 5.0);
    // A swap whose drain fails (the store refuses): the old version starts again.
    QCOMPARE((*solo)->drain().code(), Status::Code::kUnavailable);
    QVERIFY((*solo)->start().ok());
    store.heal();
    env.advance(200ms);
    QCOMPARE(store.blocks().size(), std::size_t(1));
    QCOMPARE(store.blocks()[0].readings_size(), 5);
    QVERIFY(!std::filesystem::exists(journal_path(env)));
  }

  void aStopThatCannotSaveSaysHowManyReadingsAreLost() {
    RefusingStore store(1000000);
    itc::test::PluginHost host;
    TestLifecycle node;
    auto& env = host.env();
    itc::Plugin* solo = start_stoppable_solo(host, store, node);
    QVERIFY(solo);
    publish_readings(env, 4);
    // The journal's place is taken by a directory: saving it fails for real.
    std::filesystem::create_directories(journal_path(env) + "/blocked");
    node.stopping_ = true;
    Status s = solo->drain();
    QCOMPARE(s.code(), Status::Code::kAborted);
    QVERIFY2(s.message().find("solo: 4 readings are lost") != std::string::npos,
             s.message().c_str());
    QVERIFY2(s.message().find("disk full (test)") != std::string::npos, s.message().c_str());
    host.stop(solo);
  }

  void aDamagedJournalStopsStartAndIsKept() {
    itc::test::PluginHost host;
    auto& env = host.env();
    QVERIFY(host.add(kStore, itc::test::bytes_field(1, store_path_)).ok());
    std::ofstream(journal_path(env), std::ios::binary) << "\x0a\x05\x08";  // cut short
    QVERIFY(host.add(kSolo, solo_config(200, 10000)).ok());
    Status s = host.start_all();
    QCOMPARE(s.code(), Status::Code::kCorruption);
    QVERIFY2(s.message().find(journal_path(env)) != std::string::npos, s.message().c_str());
    QVERIFY2(s.message().find("move it aside") != std::string::npos, s.message().c_str());
    QVERIFY(std::filesystem::exists(journal_path(env)));
  }

  void startWithoutAStoreFails() {
    itc::test::PluginHost host;
    QVERIFY(host.add(kSolo, solo_config(200, 100)).ok());
    Status s = host.start_all();
    QCOMPARE(s.code(), Status::Code::kFailedPrecondition);
    QVERIFY2(s.message().find("itc.ledger-store.v2") != std::string::npos, s.message().c_str());
  }

  void badConfigNamesTheField() {
    // As the node's config check sees them: the ranges the proto declares, then solo's.
    QTemporaryDir run_dir;
    auto lib = itc::testing::load_plugin_library(kSolo, run_dir.path().toStdString());
    auto solo = itc::testing::create_plugin(*lib);
    auto refused = [&](const std::string& config, const std::string& text) {
      const Status s = itc::testing::check_config_bytes(*lib, *solo, config);
      return s.code() == Status::Code::kInvalidArgument &&
             s.message().find(text) != std::string::npos;
    };
    QVERIFY(refused(solo_config(200, 0), "max_block_readings: must be 1..1000000, got 0"));
    QVERIFY(refused(solo_config(0, 10), "block_interval_ms: must be 1..600000, got 0"));
    QVERIFY(refused(solo_config(200, 1000, 999),
                    "max_pending_readings: must be at least max_block_readings (1000), got 999"));
    QVERIFY(itc::testing::check_config_bytes(*lib, *solo, solo_config(200, 1000, 1000)).ok());
  }
};

QTEST_GUILESS_MAIN(SoloTest)
#include "solo_test.moc"
