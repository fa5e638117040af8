// The host's device directory: what an operator sees of each device (GET /v1/devices),
// folded from registrations, readings and the connection plugins' reports.
#include "host/device_directory.hpp"

#include <QtTest>

#include "itc/testing/fake_env.hpp"
#include "lamp_profile.hpp"

namespace v1 = itc::v1;
using itc::host::DeviceDirectory;
using itc::host::DeviceFilter;

namespace {

constexpr std::int64_t kSecond = 1'000'000;

v1::Reading reading(const std::string& id, const std::string& metric, double value,
                    v1::Quality q = v1::QUALITY_GOOD) {
  v1::Reading r;
  r.set_device_id(id);
  r.set_metric(metric);
  r.set_value(value);
  r.set_unit(metric == "power" ? "W" : "");
  r.set_quality(q);
  return r;
}

v1::DeviceReport report(const std::string& id, v1::DeviceReport::Link link, std::string error) {
  v1::DeviceReport r;
  r.set_device_id(id);
  r.set_source("modbus");
  r.set_link(link);
  r.set_error(std::move(error));
  return r;
}

}  // namespace

class DeviceDirectoryTest : public QObject {
  Q_OBJECT

  itc::testing::FakeDeviceProfiles profiles_;

 private slots:
  void initTestCase() { profiles_.put(itc::testing::shipped_profile("dimmable-lamp")); }

  void aDeviceGoesOnlineStaleOfflineAndBack() {
    DeviceDirectory dir(&profiles_);
    v1::DeviceRegistration reg;
    reg.set_device_id("lamp-1");
    reg.set_profile("dimmable-lamp");
    reg.set_owner_public_key(std::string(32, 'o'));
    QVERIFY(dir.on_registration(reg, 0).has_value());  // a new device is an event
    QCOMPARE(dir.get("lamp-1")->state(), v1::DEVICE_STATE_UNSPECIFIED);

    auto up = dir.on_reading(reading("lamp-1", "power", 9.6), 1 * kSecond);
    QVERIFY(up && up->state() == v1::DEVICE_STATE_ONLINE);
    QVERIFY(!dir.on_reading(reading("lamp-1", "power", 9.7), 2 * kSecond));  // no change
    QVERIFY(!dir.on_reading(reading("lamp-1", "dim", 40), 2 * kSecond));
    const v1::DeviceStatus s = *dir.get("lamp-1");
    QCOMPARE(s.readings(), std::uint64_t{3});
    QCOMPARE(s.last_readings_size(), 2);  // the latest of each metric
    QCOMPARE(s.last_readings(0).value(), 9.7);
    QCOMPARE(s.owner_public_key(), std::string(32, 'o'));

    // The lamp profile says stale after 10 s of silence.
    QVERIFY(dir.sweep(11 * kSecond).empty());
    auto stale = dir.sweep(13 * kSecond);
    QCOMPARE(stale.size(), std::size_t{1});
    QCOMPARE(stale[0].state(), v1::DEVICE_STATE_STALE);

    auto down = dir.on_report(
        report("lamp-1", v1::DeviceReport::LINK_DOWN, "connection refused by 127.0.0.1:1502"),
        14 * kSecond);
    QVERIFY(down && down->state() == v1::DEVICE_STATE_OFFLINE);
    QCOMPARE(down->errors(), std::uint64_t{1});
    QCOMPARE(down->last_error(), std::string("connection refused by 127.0.0.1:1502"));
    QCOMPARE(down->source(), std::string("modbus"));
    QVERIFY(dir.sweep(60 * kSecond).empty());  // offline is not stale

    auto back = dir.on_report(report("lamp-1", v1::DeviceReport::LINK_UP, ""), 61 * kSecond);
    QVERIFY(back && back->state() == v1::DEVICE_STATE_ONLINE);
    QCOMPARE(back->state_since_us(), 61 * kSecond);
  }

  void outOfRangeAndFaultsAreCountedWithTheProfileRange() {
    DeviceDirectory dir(&profiles_);
    v1::DeviceRegistration reg;
    reg.set_device_id("lamp-2");
    reg.set_profile("dimmable-lamp");
    dir.on_registration(reg, 0);
    auto ev = dir.on_reading(reading("lamp-2", "power", 250, v1::QUALITY_OUT_OF_RANGE), kSecond);
    QVERIFY(ev.has_value());
    QCOMPARE(ev->errors(), std::uint64_t{1});
    QCOMPARE(ev->last_error(),
             std::string("power = 250 W is outside the valid range [0, 15] of profile "
                         "dimmable-lamp"));
    // Errors keep counting, but a noisy device makes at most one event a second.
    QVERIFY(
        !dir.on_reading(reading("lamp-2", "power", 251, v1::QUALITY_OUT_OF_RANGE), kSecond + 10));
    QCOMPARE(dir.get("lamp-2")->errors(), std::uint64_t{2});
    auto fault =
        dir.on_reading(reading("lamp-2", "power", 1, v1::QUALITY_DEVICE_FAULT), kSecond + 20);
    QVERIFY(fault && fault->fault());
    QCOMPARE(dir.counts().fault, 1u);
    auto cleared = dir.on_reading(reading("lamp-2", "power", 1), kSecond + 30);
    QVERIFY(cleared && !cleared->fault());
  }

  void listingFiltersAndPagesInIdOrder() {
    DeviceDirectory dir(nullptr);  // no profiles: defaults apply
    for (int i = 0; i < 250; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "hall-%03d", i);
      dir.on_reading(reading(id, "dim", 1), kSecond);
    }
    dir.on_report(report("hall-007", v1::DeviceReport::LINK_DOWN, "timeout"), 2 * kSecond);
    DeviceFilter f;
    f.offset = 100;
    f.limit = 20;
    v1::DeviceList page = dir.list(f);
    QCOMPARE(page.total(), 250u);
    QCOMPARE(page.devices_size(), 20);
    QCOMPARE(page.devices(0).device_id(), std::string("hall-100"));
    f = {};
    f.state = v1::DEVICE_STATE_OFFLINE;
    QCOMPARE(dir.list(f).total(), 1u);
    f = {};
    f.query = "HALL-02";
    QCOMPARE(dir.list(f).total(), 10u);
    QCOMPARE(dir.counts().online, 249u);
    QVERIFY(!dir.get("nope").has_value());
    QCOMPARE(dir.sweep(30 * kSecond).size(), std::size_t{0});
    QCOMPARE(dir.sweep(62 * kSecond).size(), std::size_t{249});  // default 60 s
  }
};

QTEST_GUILESS_MAIN(DeviceDirectoryTest)
#include "device_directory_test.moc"
