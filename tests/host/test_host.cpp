// The host's promises to plugin vendors and operators: real .so plugins load, a wrong
// ABI or an unsigned build is refused before any plugin code runs, dependency cycles are
// named, and a hot swap under a steady stream delivers every message exactly once with
// the state carried over — or, when it fails, leaves the old version running.
#include <set>

#include "eventually.hpp"
#include "host/dependency_order.hpp"
#include "in_process_node.hpp"
#include "itc/abi.hpp"

using itc::testing::eventually;
using itc::testing::InProcessNode;
using itc::testing::test_plugin;

namespace {

std::string node_yaml(const std::string& plugins) {
  return "node:\n  name: test-node\n  data_dir: data\n  admin: {listen: \"off\"}\n"
         "plugins:\n" +
         plugins;
}

std::string entry(const std::string& name, const std::string& file,
                  const std::string& config = "") {
  std::string s = "  - name: " + name + "\n    library: " + test_plugin(file) + "\n";
  if (!config.empty()) s += "    config: " + config + "\n";
  return s;
}

// Distinct mapped files whose name contains `stem` (the unique copies the host loaded).
int mapped_copies(const std::string& stem) {
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> files;
  for (std::string line; std::getline(maps, line);) {
    auto slash = line.find('/');
    if (slash != std::string::npos && line.find(stem, slash) != std::string::npos)
      files.insert(line.substr(slash));
  }
  return static_cast<int>(files.size());
}

}  // namespace

class HostTest : public QObject {
  Q_OBJECT

 private slots:
  void loadsARealPluginLibraryAndRunsIt() {
    InProcessNode t;
    QVERIFY(t.create(node_yaml(entry("ticker", "libticker.so", "{rate_per_s: 1000}"))).ok());
    QVERIFY2(t.node->start().ok(), t.plugin("ticker").reason().c_str());
    auto p = t.plugin("ticker");
    QCOMPARE(p.state(), itc::v1::RUNNING);
    QCOMPARE(p.version(), std::string("1.0.0"));
    QCOMPARE(p.layer(), std::string("connection"));
    QVERIFY(eventually([&] { return t.metric("ticker", "sent") > 10; }));
    QVERIFY(t.node->shutdown().ok());
    QCOMPARE(t.plugin("ticker").state(), itc::v1::UNLOADED);
  }

  void refusesAPluginOfAnotherAbiMajor() {
    InProcessNode t;
    QVERIFY(t.create(node_yaml(entry("wrong-abi", "libwrong-abi.so"))).ok());
    QVERIFY(!t.node->start().ok());
    auto p = t.plugin("wrong-abi");
    QCOMPARE(p.state(), itc::v1::FAILED);
    QVERIFY2(p.reason().find("plugin ABI 99.0 does not match the host's ABI " +
                             std::to_string(itc::kAbiMajor) + ".") != std::string::npos,
             p.reason().c_str());
  }

  void refusesUnsignedLibrariesOutsideDeveloperMode() {
    InProcessNode t;
    QVERIFY(t.create(node_yaml(entry("ticker", "libticker.so")), /*developer_mode=*/false).ok());
    QVERIFY(!t.node->start().ok());
    auto p = t.plugin("ticker");
    QCOMPARE(p.state(), itc::v1::FAILED);
    QVERIFY2(p.reason().find("unsigned build, loaded only in developer mode") != std::string::npos,
             p.reason().c_str());
  }

  void namesADependencyCycleWithItsWholeChain() {
    InProcessNode t;
    QVERIFY(t.create(node_yaml(entry("cycle-a", "libcycle-a.so") +
                               entry("cycle-b", "libcycle-b.so") + entry("ticker", "libticker.so")))
                .ok());
    QVERIFY(!t.node->start().ok());
    auto a = t.plugin("cycle-a");
    QCOMPARE(a.state(), itc::v1::FAILED);
    QVERIFY2(a.reason() == "dependency cycle: cycle-a → cycle-b → cycle-a", a.reason().c_str());
    QCOMPARE(t.plugin("cycle-b").state(), itc::v1::FAILED);
    QCOMPARE(t.plugin("ticker").state(), itc::v1::RUNNING);  // the rest runs
  }

  void refusesAPluginWhoseRequiredServiceNoPluginProvides() {
    InProcessNode t;
    // cycle-a requires test.svc-b, which only cycle-b (not loaded here) provides.
    QVERIFY(t.create(node_yaml(entry("cycle-a", "libcycle-a.so") + entry("ticker", "libticker.so")))
                .ok());
    QVERIFY(!t.node->start().ok());
    auto a = t.plugin("cycle-a");
    QCOMPARE(a.state(), itc::v1::FAILED);
    QVERIFY2(a.reason() == "requires service 'test.svc-b', which no plugin provides",
             a.reason().c_str());
    QCOMPARE(t.plugin("ticker").state(), itc::v1::RUNNING);  // the rest runs
  }

  void anOptionalRequirementOrdersButNeverBlocks() {
    using itc::host::plan_dependencies;
    using Names = std::vector<std::string>;
    // control reads device owners from the chain when a ledger store runs, and runs
    // without one (a node with no chain).
    auto alone =
        plan_dependencies({{"control", {"itc.command-gateway.v1"}, {"itc.ledger-store.v2?"}}});
    QVERIFY(alone.failures.empty());
    QCOMPARE(alone.order, Names{"control"});
    auto with = plan_dependencies(
        {{"control", {}, {"itc.ledger-store.v2?"}}, {"store", {"itc.ledger-store.v2"}, {}}});
    QCOMPARE(with.order, (Names{"store", "control"}));  // the provider first
    QVERIFY(with.needs["control"].empty());             // not a need: unloading store is fine
    // A provider that cannot run does not take the plugin with it.
    auto broken = plan_dependencies({{"control", {}, {"svc?"}}, {"store", {"svc"}, {"nothing"}}});
    QVERIFY(broken.failures.count("store") == 1);
    QCOMPARE(broken.order, Names{"control"});
  }

  void reportsAConfigErrorWithFileLineAndField() {
    InProcessNode t;
    QVERIFY(t.create(node_yaml(entry("ticker", "libticker.so", "{rate_pre_s: 5}"))).ok());
    QVERIFY(!t.node->start().ok());
    auto reason = t.plugin("ticker").reason();
    QVERIFY2(reason.find("node.yaml:8:") != std::string::npos, reason.c_str());
    QVERIFY2(reason.find("plugins[0].config.rate_pre_s") != std::string::npos, reason.c_str());
    QVERIFY2(reason.find("rate_per_s") != std::string::npos, reason.c_str());  // suggestion
  }

  void hotSwapUnderLoadDeliversEveryMessageExactlyOnceAndKeepsState() {
    InProcessNode t;
    QVERIFY(t.create(node_yaml(entry("counter", "libcounter-v1.so") +
                               entry("ticker", "libticker.so", "{rate_per_s: 10000}")))
                .ok());
    QVERIFY(t.node->start().ok());
    QVERIFY(eventually([&] { return t.metric("counter", "received") > 1000; }));
    for (int i = 0; i < 6; ++i) {
      itc::v1::SwapRequest req;
      req.set_package(test_plugin(i % 2 == 0 ? "libcounter-v2.so" : "libcounter-v1.so"));
      auto st = t.node->swap("counter", req);
      QVERIFY2(st.ok(), st.ToString().c_str());
      QCOMPARE(t.plugin("counter").version(), std::string(i % 2 == 0 ? "2.0.0" : "1.0.0"));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    QCOMPARE(t.plugin("counter").swaps(), 6u);
    QVERIFY(t.node->unload("ticker").ok());  // the stream stops; what was sent must arrive
    double sent = t.metric("ticker", "sent");
    QVERIFY(sent > 5000);
    QVERIFY(eventually([&] { return t.metric("counter", "received") == sent; }));
    QCOMPARE(t.metric("counter", "duplicates"), 0.0);
    QCOMPARE(t.metric("counter", "out_of_order"), 0.0);
    QCOMPARE(t.metric("counter", "version_major"), 1.0);
    QVERIFY(t.metric("counter", "swap_hold_seconds") >= 0);
    // Each old build was really unmapped: only the running copy of the counter remains.
    QCOMPARE(mapped_copies("counter-v"), 1);
  }

  void applyingAConfigSwapsLoadsAndUnloadsOnlyWhatChanged() {
    InProcessNode t;
    QVERIFY(t.create(node_yaml(entry("ticker", "libticker.so", "{rate_per_s: 1000}"))).ok());
    QVERIFY(t.node->start().ok());

    // A broken file changes nothing and says where it is wrong.
    auto bad = t.node->apply_config(node_yaml(entry("ticker", "libticker.so", "{rate_per_s: x}")),
                                    "new.yaml");
    QVERIFY(!bad.ok());
    QCOMPARE(bad.report().issues_size(), 1);
    QCOMPARE(bad.report().issues(0).field(), std::string("plugins[0].config.rate_per_s"));
    QCOMPARE(bad.report().issues(0).line(), 8u);
    QCOMPARE(t.plugin("ticker").swaps(), 0u);

    // New config for the ticker (a hot swap), a new plugin (a load).
    auto applied =
        t.node->apply_config(node_yaml(entry("ticker", "libticker.so", "{rate_per_s: 2000}") +
                                       entry("counter", "libcounter-v1.so")),
                             "new.yaml");
    QVERIFY2(applied.ok(), applied.error().c_str());
    QCOMPARE(applied.actions_size(), 2);
    QCOMPARE(t.plugin("ticker").swaps(), 1u);
    QCOMPARE(t.plugin("counter").state(), itc::v1::RUNNING);

    // Unchanged plugins are left alone; a removed one is unloaded.
    applied = t.node->apply_config(node_yaml(entry("counter", "libcounter-v1.so")), "new.yaml");
    QVERIFY2(applied.ok(), applied.error().c_str());
    QCOMPARE(applied.actions_size(), 1);
    QCOMPARE(applied.actions(0), std::string("unloaded ticker"));
    QCOMPARE(t.plugin("ticker").state(), itc::v1::UNLOADED);
    QCOMPARE(t.plugin("counter").swaps(), 0u);
  }

  void failedSwapLeavesTheOldVersionRunning() {
    InProcessNode t;
    QVERIFY(t.create(node_yaml(entry("counter", "libcounter-v1.so") +
                               entry("ticker", "libticker.so", "{rate_per_s: 5000}")))
                .ok());
    QVERIFY(t.node->start().ok());
    QVERIFY(eventually([&] { return t.metric("counter", "received") > 500; }));

    itc::v1::SwapRequest refuses;  // v2 that refuses the state it is handed
    refuses.set_package(test_plugin("libcounter-v2.so"));
    refuses.set_config_yaml("{refuse_state: true}");
    auto st = t.node->swap("counter", refuses);
    QVERIFY(!st.ok());
    QVERIFY2(st.message().find("refused the state of 1.0.0") != std::string::npos,
             st.ToString().c_str());

    itc::v1::SwapRequest wrong_abi;
    wrong_abi.set_package(test_plugin("libwrong-abi.so"));
    st = t.node->swap("counter", wrong_abi);
    QVERIFY(!st.ok());
    QVERIFY2(st.message().find("ABI 99.0") != std::string::npos, st.ToString().c_str());

    itc::v1::SwapRequest missing;
    missing.set_package("/nonexistent/libcounter.so");
    QVERIFY(!t.node->swap("counter", missing).ok());

    auto p = t.plugin("counter");
    QCOMPARE(p.state(), itc::v1::RUNNING);
    QCOMPARE(p.version(), std::string("1.0.0"));
    double before = t.metric("counter", "received");
    QVERIFY(eventually([&] { return t.metric("counter", "received") > before + 500; }));
    QVERIFY(t.node->unload("ticker").ok());
    double sent = t.metric("ticker", "sent");
    QVERIFY(eventually([&] { return t.metric("counter", "received") == sent; }));
    QCOMPARE(t.metric("counter", "duplicates"), 0.0);
  }
};

QTEST_GUILESS_MAIN(HostTest)
#include "test_host.moc"
