// The plugin lifecycle is one table (host/plugin_lifecycle.hpp): the changes the host
// makes are in it, the ones it must never make are not, and every state is reachable.
#include "host/plugin_lifecycle.hpp"

#include <QtTest>
#include <set>

using itc::host::lifecycle_allows;
using itc::host::lifecycle_transitions;
namespace v1 = itc::v1;

class PluginLifecycleTest : public QObject {
  Q_OBJECT

 private slots:
  void the_table_is_printed_for_the_reader() {
    for (const auto& t : lifecycle_transitions()) {
      qInfo().noquote() << QString::fromStdString(itc::host::transition_name(t.from, t.to)) << "—"
                        << t.when;
    }
    QCOMPARE(lifecycle_transitions().size(), std::size_t{15});
  }

  void start_run_and_stop() {
    QVERIFY(lifecycle_allows(v1::DISCOVERED, v1::LOADED));
    QVERIFY(lifecycle_allows(v1::LOADED, v1::INITIALISED));
    QVERIFY(lifecycle_allows(v1::INITIALISED, v1::RUNNING));
    QVERIFY(lifecycle_allows(v1::RUNNING, v1::DRAINING));
    QVERIFY(lifecycle_allows(v1::DRAINING, v1::STOPPED));
    QVERIFY(lifecycle_allows(v1::STOPPED, v1::UNLOADED));
  }

  void a_hot_swap_drains_and_runs_again() {
    QVERIFY(lifecycle_allows(v1::RUNNING, v1::DRAINING));
    QVERIFY(lifecycle_allows(v1::DRAINING, v1::RUNNING));
    QVERIFY(lifecycle_allows(v1::DRAINING, v1::FAILED));  // the old version did not resume
  }

  void failures_before_running_and_their_way_out() {
    for (auto from : {v1::DISCOVERED, v1::LOADED, v1::INITIALISED}) {
      QVERIFY(lifecycle_allows(from, v1::FAILED));
    }
    QVERIFY(lifecycle_allows(v1::FAILED, v1::UNLOADED));
    QVERIFY(!lifecycle_allows(v1::FAILED, v1::RUNNING));  // a failed plugin is loaded anew
    QVERIFY(!lifecycle_allows(v1::RUNNING, v1::FAILED));  // running fails only via a swap
  }

  void no_skipping_and_no_going_back() {
    QVERIFY(!lifecycle_allows(v1::DISCOVERED, v1::RUNNING));
    QVERIFY(!lifecycle_allows(v1::LOADED, v1::RUNNING));
    QVERIFY(!lifecycle_allows(v1::RUNNING, v1::STOPPED));  // always drained first
    QVERIFY(!lifecycle_allows(v1::RUNNING, v1::LOADED));
    QVERIFY(!lifecycle_allows(v1::STOPPED, v1::RUNNING));
    QVERIFY(!lifecycle_allows(v1::UNLOADED, v1::LOADED));
    QVERIFY(!lifecycle_allows(v1::LIFECYCLE_UNSPECIFIED, v1::DISCOVERED));
    QVERIFY(!lifecycle_allows(v1::DISCOVERED, v1::LIFECYCLE_UNSPECIFIED));
  }

  void every_state_is_reachable_from_discovered() {
    std::set<v1::LifecycleState> seen = {v1::DISCOVERED};
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& t : lifecycle_transitions()) {
        if (seen.count(t.from) && seen.insert(t.to).second) grew = true;
      }
    }
    for (int s = v1::DISCOVERED; s <= v1::FAILED; ++s) {
      QVERIFY2(seen.count(static_cast<v1::LifecycleState>(s)),
               v1::LifecycleState_Name(static_cast<v1::LifecycleState>(s)).c_str());
    }
  }
};

QTEST_GUILESS_MAIN(PluginLifecycleTest)
#include "plugin_lifecycle_test.moc"
