// Specification of itc::testing::FakeEnv, the HostEnv vendors use in plugin unit tests.
#include "itc/testing/fake_env.hpp"

#include <QtTest/QtTest>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "itc/v1/device.pb.h"

using namespace std::chrono_literals;
using itc::testing::FakeEnv;

class FakeEnvTest : public QObject {
  Q_OBJECT

 private slots:
  void timers_fire_in_due_order_on_advance() {
    FakeEnv env;
    std::vector<std::string> fired;
    const auto t0 = env.clock().steady_now();
    env.timers().schedule_after(30ms, [&] { fired.push_back("b@30"); });
    env.timers().schedule_after(10ms, [&] {
      fired.push_back("a@10");
      QCOMPARE(env.clock().steady_now() - t0, std::chrono::nanoseconds(10ms));
    });
    env.advance(5ms);
    QVERIFY(fired.empty());
    env.advance(50ms);
    QCOMPARE(fired, (std::vector<std::string>{"a@10", "b@30"}));
    QCOMPARE(env.clock().steady_now() - t0, std::chrono::nanoseconds(55ms));
  }

  void periodic_timer_repeats_until_cancelled() {
    FakeEnv env;
    int runs = 0;
    itc::TimerId id = 0;
    id = env.timers().schedule_every(100ms, [&] {
      if (++runs == 3) env.timers().cancel(id);
    });
    env.advance(1s);
    QCOMPARE(runs, 3);
    QCOMPARE(env.timers().pending(), std::size_t{0});
  }

  void wall_clock_follows_manual_clock() {
    FakeEnv env;
    const auto w0 = env.clock().unix_micros();
    env.advance(2500us);
    QCOMPARE(env.clock().unix_micros() - w0, std::int64_t{2500});
  }

  void executor_runs_inline_or_queued() {
    FakeEnv env;
    int ran = 0;
    env.executor().post([&] { ++ran; });
    QCOMPARE(ran, 1);
    env.set_executor_queued(true);
    env.executor().post([&] { ++ran; });
    env.executor().post([&] { ++ran; });
    QCOMPARE(ran, 1);
    QCOMPARE(env.run_pending(), std::size_t{2});
    QCOMPARE(ran, 3);
  }

  void logger_records_lines_and_metrics_are_looked_up_by_name() {
    FakeEnv env;
    env.log().warn("lamp-000001 refused");
    QVERIFY(env.log().contains("WARN lamp-000001 refused"));
    env.metrics().counter("frames_sent", "").add(3);
    env.metrics().counter("frames_sent", "").add();
    env.metrics().gauge("lamps", "").set(7);
    QCOMPARE(env.metrics().counter_value("frames_sent"), std::uint64_t{4});
    QCOMPARE(env.metrics().gauge_value("lamps"), 7.0);
    QCOMPARE(env.metrics().counter_value("absent"), std::uint64_t{0});
  }

  void storage_keeps_values() {
    FakeEnv env;
    QVERIFY(env.storage().put("k", "v").ok());
    auto got = env.storage().get("k");
    QVERIFY(got.ok() && got->has_value());
    QCOMPARE(QString::fromStdString(**got), QString("v"));
    QVERIFY(env.storage().erase("k").ok());
    QVERIFY(!env.storage().get("k")->has_value());
  }

  void bus_delivers_synchronously_and_enforces_topic_types() {
    FakeEnv env;
    std::vector<std::string> seen;
    QVERIFY(env.bus()
                .subscribe<itc::v1::Reading>(
                    "t", [&](const itc::v1::Reading& r) { seen.push_back(r.device_id()); })
                .ok());
    itc::v1::Reading r;
    r.set_device_id("lamp-000001");
    QVERIFY(env.bus().publish_value("t", r).ok());
    QCOMPARE(seen.size(), std::size_t{1});
    QCOMPARE(env.bus().published_count("t"), std::size_t{1});
    // Wrong type on an established topic is refused, both ways.
    QVERIFY(!env.bus().publish_value("t", itc::v1::RawFrame()).ok());
    QVERIFY(!env.bus().subscribe<itc::v1::Command>("t", [](const itc::v1::Command&) {}).ok());
    env.bus().set_full("t", true);
    QCOMPARE(env.bus().try_publish("t", std::make_shared<const itc::v1::Reading>(r)).code(),
             itc::Status::Code::kUnavailable);
    QCOMPARE(seen.size(), std::size_t{1});
  }

  void services_and_data_dir() {
    std::string dir;
    {
      FakeEnv env("n1");
      int svc = 5;
      QVERIFY(env.services().provide("x.v1", &svc).ok());
      QCOMPARE(env.services().find("x.v1"), static_cast<void*>(&svc));
      QVERIFY(!env.services().provide("x.v1", &svc).ok());
      dir = env.data_dir();
      QVERIFY(std::filesystem::is_directory(dir));
      QCOMPARE(QString::fromStdString(env.node_name()), QString("n1"));
    }
    QVERIFY(!std::filesystem::exists(dir));
  }
};

QTEST_GUILESS_MAIN(FakeEnvTest)
#include "fake_env_test.moc"
