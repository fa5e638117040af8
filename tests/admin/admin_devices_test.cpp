// Devices and profiles through the admin API, as Studio uses them: a real Node running
// sim-lighting and normalize from their signed packages with the shipped device profiles,
// behind a real AdminServer on loopback.
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "admin_client.hpp"
#include "eventually.hpp"
#include "host/admin_server.hpp"
#include "host/node.hpp"
#include "in_process_node.hpp"
#include "itc/crypto.hpp"
#include "lamp_profile.hpp"

using itc::host::AdminServer;
using itc::host::Node;
using itc::testing::AdminClient;
using itc::testing::eventually;

namespace {

constexpr int kLamps = 30;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) qFatal("%s is not set (run through ctest)", name);
  return v;
}

}  // namespace

class AdminDevicesTest : public QObject {
  Q_OBJECT

  itc::testing::InProcessNode fixture_;
  Node* node_ = nullptr;
  std::unique_ptr<AdminClient> admin_;
  std::string config_;

 private slots:
  void initTestCase() {
    const std::string pkg = env("ITC_PACKAGE_DIR");
    auto owner = itc::crypto::Ed25519PrivateKey::generate();
    QVERIFY(owner.ok());
    config_ = "node:\n  name: devices-node\n  data_dir: " + fixture_.data_dir() +
              "\n  admin: {listen: \"127.0.0.1:0\"}\n  trusted_vendor_keys: [" +
              env("ITC_VENDOR_KEY") + "]\n" + itc::testing::device_profiles_yaml() +
              "plugins:\n"
              "  - name: normalize\n    package: " +
              pkg + "/normalize.itcpkg\n" + "  - name: sim-lighting\n    package: " + pkg +
              "/sim-lighting.itcpkg\n" + "    config: {lamps: " + std::to_string(kLamps) +
              ", report_interval_ms: 100, fault_probability: 0, fleet_seed: devices, "
              "owner_public_key: " +
              itc::crypto::to_hex(owner->public_key()) + "}\n";
    itc::Status st = fixture_.create(config_, false);
    QVERIFY2(st.ok(), st.ToString().c_str());
    node_ = fixture_.node.get();
    st = node_->start();
    QVERIFY2(st.ok(), st.ToString().c_str());
    QVERIFY(fixture_.serve_admin().ok());
    admin_ = std::make_unique<AdminClient>(QString::fromStdString(fixture_.url()),
                                           QByteArray::fromStdString(fixture_.token()));
  }

  void cleanupTestCase() { fixture_.stop(); }

  void theFleetIsListedOnlineAndPaged() {
    QVERIFY(eventually(
        [&] {
          return admin_->get("/v1/devices?state=online&limit=1").json["total"].toInt() == kLamps;
        },
        15000));
    auto page = admin_->get("/v1/devices?offset=10&limit=5").json;
    QCOMPARE(page["total"].toInt(), kLamps);
    QCOMPARE(page["offset"].toInt(), 10);
    const QJsonArray devices = page["devices"].toArray();
    QCOMPARE(devices.size(), 5);
    QCOMPARE(devices[0].toObject()["deviceId"].toString(), QString("lamp-000011"));
    QCOMPARE(devices[4].toObject()["deviceId"].toString(), QString("lamp-000015"));

    auto search = admin_->get("/v1/devices?q=LAMP-00002").json;  // case-insensitive
    QCOMPARE(search["total"].toInt(), 10);                       // lamp-000020..29
    QCOMPARE(admin_->get("/v1/devices?state=offline").json["total"].toInt(), 0);
    QCOMPARE(admin_->get("/v1/devices?state=fault").json["total"].toInt(), 0);
  }

  void oneDeviceShowsItsLastReadingOfEachMetric() {
    auto r = admin_->get("/v1/devices/lamp-000007");
    QCOMPARE(r.status, 200);
    auto d = r.json;
    QCOMPARE(d["state"].toString(), QString("DEVICE_STATE_ONLINE"));
    QCOMPARE(d["profile"].toString(), QString("dimmable-lamp"));
    QVERIFY(d["readings"].toString().toULongLong() >= 6);
    QStringList metrics;
    for (const auto& v : d["lastReadings"].toArray()) {
      metrics << v.toObject()["metric"].toString();
    }
    metrics.sort();
    QCOMPARE(metrics, QStringList({"dim", "fault", "occupancy", "on", "power", "temperature"}));
  }

  void badQueriesAndUnknownDevicesGetClearErrors() {
    auto bad = admin_->get("/v1/devices?state=sleepy");
    QCOMPARE(bad.status, 400);
    QVERIFY(bad.json["error"].toString().contains("online, stale, offline, unknown or fault"));
    QCOMPARE(admin_->get("/v1/devices?limit=100000").status, 400);
    auto missing = admin_->get("/v1/devices/no-such-lamp");
    QCOMPARE(missing.status, 404);
    QVERIFY(missing.json["error"].toString().contains("no-such-lamp"));
  }

  void profilesConfigAndPluginSchemaAreServed() {
    auto profiles = admin_->get("/v1/profiles").json["profiles"].toArray();
    QStringList names;
    for (const auto& p : profiles) names << p.toObject()["name"].toString();
    QCOMPARE(names, QStringList({"dimmable-lamp", "energy-meter", "occupancy-sensor"}));

    auto config = admin_->get("/v1/config").json;
    QCOMPARE(config["yaml"].toString().toStdString(), config_);

    auto schema = admin_->get("/v1/plugins/sim-lighting/config").json;
    QCOMPARE(schema["typeName"].toString(), QString("itc.sim_lighting.Config"));
    QVERIFY(!QByteArray::fromBase64(schema["descriptorSet"].toString().toLatin1()).isEmpty());
    QVERIFY(schema["yaml"].toString().contains("lamps"));
    QCOMPARE(admin_->get("/v1/plugins/nope/config").status, 404);
  }

  void aStoppedFleetGoesStale() {
    // The lamp profile's stale_after_ms is 10 s: stop the fleet and watch the directory.
    QVERIFY(node_->unload("sim-lighting").ok());
    QVERIFY(eventually(
        [&] {
          return admin_->get("/v1/devices?state=stale&limit=1").json["total"].toInt() == kLamps;
        },
        20000));
    auto d = admin_->get("/v1/devices/lamp-000001").json;
    QCOMPARE(d["state"].toString(), QString("DEVICE_STATE_STALE"));
  }
};

QTEST_GUILESS_MAIN(AdminDevicesTest)
#include "admin_devices_test.moc"
