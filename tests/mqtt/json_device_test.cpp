// Plain MQTT JSON devices end to end: mosquitto_pub publishes as a device would, through
// a real mosquitto broker, to a real itc-node running the signed mqtt, normalize and
// control packages; readings, device errors and states are read from the admin API,
// commands from the broker with mosquitto_sub. Also: configs the plugin must refuse.
#include <QtTest>
#include <atomic>
#include <thread>

#include "mqtt_peers.hpp"

using itc::testing::end_process;
using itc::testing::eventually;
using itc::testing::MosquittoBroker;
using itc::testing::MqttNode;

namespace {

void publish(const MosquittoBroker& broker, const QString& topic, const QString& payload) {
  QProcess pub;
  pub.start("mosquitto_pub", {"-h", "127.0.0.1", "-p", QString::number(broker.port()), "-q", "1",
                              "-t", topic, "-m", payload});
  QVERIFY(pub.waitForFinished(10000));
  QCOMPARE(pub.exitCode(), 0);
}

}  // namespace

class JsonDeviceTest : public QObject {
  Q_OBJECT

  std::unique_ptr<MosquittoBroker> broker_;
  std::unique_ptr<MqttNode> node_;

  bool saw(const char* device, const char* metric, double value) {
    return node_->saw_reading(device, metric, value);
  }

 private slots:
  void initTestCase() {
    broker_ = std::make_unique<MosquittoBroker>();
    node_ = std::make_unique<MqttNode>();
    const bool started = node_->start(
        "broker: " + broker_->address() +
        ", protocol: mqtt5, client_id: itc-json-test, persistent_session: true, keepalive_s: 10,"
        " reconnect: {min_delay_ms: 100, max_delay_ms: 1000}, devices: ["
        "{id: lamp-7, profile: dimmable-lamp},"
        "{id: meter-1, profile: energy-meter, address: m1, qos: 0},"
        "{id: swap-1, profile: occupancy-sensor}]");
    QVERIFY2(started, qPrintable(node_->log()));
    QVERIFY(eventually([&] { return node_->metric("mqtt", "broker_connected") == 1.0; }));
  }
  void cleanupTestCase() {
    node_.reset();
    broker_.reset();
  }

  void jsonMessagesBecomeTypedScaledReadings() {
    publish(
        *broker_, "lights/lamp-7/state",
        R"({"power_mw":5500,"temperature_dc":231,"dim_pct":80,"on":true,"occupancy":2,"fault":false})");
    QVERIFY(eventually([&] { return saw("lamp-7", "power", 5.5); }));
    QCOMPARE((*node_->reading("lamp-7", "temperature"))["value"].toDouble(), 23.1);
    QCOMPARE((*node_->reading("lamp-7", "temperature"))["unit"].toString(), QString("degC"));
    QCOMPARE((*node_->reading("lamp-7", "on"))["value"].toDouble(), 1.0);
    QCOMPARE((*node_->reading("lamp-7", "dim"))["quality"].toString(), QString("QUALITY_GOOD"));
    QCOMPARE(node_->device("lamp-7")["state"].toString(), QString("DEVICE_STATE_ONLINE"));
    QCOMPARE(node_->device("lamp-7")["errors"].toString().toInt(), 0);

    // Nested paths; `address` fills {device} in the topic.
    publish(
        *broker_, "meters/m1/telemetry",
        R"({"voltage":230.5,"current":4.25,"power":{"active_w":980},"energy":{"total_wh":123456},"frequency_chz":5001})");
    QVERIFY(eventually([&] { return saw("meter-1", "energy", 123.456); }));
    QCOMPARE((*node_->reading("meter-1", "power"))["value"].toDouble(), 0.98);
    QCOMPARE((*node_->reading("meter-1", "power"))["unit"].toString(), QString("kW"));
    QCOMPARE((*node_->reading("meter-1", "frequency"))["value"].toDouble(), 50.01);
    QCOMPARE((*node_->reading("meter-1", "voltage"))["value"].toDouble(), 230.5);
  }

  void aBadPayloadIsADeviceErrorNamingThePathAndTheRestGoesThrough() {
    // temperature_dc and the others are missing; power is there.
    publish(*broker_, "lights/lamp-7/state", R"({"power_mw":6250})");
    QVERIFY(eventually([&] { return saw("lamp-7", "power", 6.25); }));
    QVERIFY(eventually([&] { return node_->device("lamp-7")["errors"].toString().toInt() >= 5; }));
    QString last = node_->device("lamp-7")["lastError"].toString();
    QVERIFY2(last.contains("lights/lamp-7/state") && last.contains("json_path"), qPrintable(last));

    publish(
        *broker_, "lights/lamp-7/state",
        R"({"power_mw":"lots","temperature_dc":240,"dim_pct":80,"on":true,"occupancy":2,"fault":false})");
    QVERIFY(eventually([&] { return saw("lamp-7", "temperature", 24.0); }));
    QVERIFY(eventually([&] {
      return node_->device("lamp-7")["lastError"].toString().contains(
          "json_path power_mw: is text \"lots\", not a number");
    }));

    const int errors = node_->device("lamp-7")["errors"].toString().toInt();
    publish(*broker_, "lights/lamp-7/state", R"({"power_mw": 12)");
    QVERIFY(eventually(
        [&] { return node_->device("lamp-7")["errors"].toString().toInt() == errors + 1; }));
    last = node_->device("lamp-7")["lastError"].toString();
    QVERIFY2(last.contains("invalid JSON at byte"), qPrintable(last));
    // The other device was not disturbed.
    QCOMPARE(node_->device("meter-1")["errors"].toString().toInt(), 0);
  }

  void dimCommandIsPublishedOnTheMetricsSetTopic() {
    // -d: it prints "Subscribed" once the broker acknowledged; stdbuf: line by line.
    QProcess sub;
    sub.start("stdbuf", {"-oL", "mosquitto_sub", "-d", "-h", "127.0.0.1", "-p",
                         QString::number(broker_->port()), "-t", "lights/lamp-7/state/set", "-C",
                         "1", "-W", "20", "-q", "1"});
    QVERIFY(sub.waitForStarted());
    QByteArray out;
    QVERIFY(eventually([&] {
      out += sub.readAllStandardOutput();
      return out.contains("Subscribed");
    }));
    itc::v1::Command c;
    c.set_device_id("lamp-7");
    c.set_action(itc::v1::ACTION_DIM);
    c.set_dim_level(25);
    c.set_nonce(1);
    c.set_issued_at_us(std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
    auto reply = node_->command(c);
    QVERIFY2(reply.json["accepted"].toBool(), reply.body.constData());

    QVERIFY(sub.state() == QProcess::NotRunning || sub.waitForFinished(25000));
    out += sub.readAllStandardOutput();
    QVERIFY2(out.split('\n').contains(R"({"dim_pct":25})"), out.constData());
  }

  void brokerLossTakesDevicesOfflineAndTheyComeBackAfterReconnect() {
    broker_->stop();
    QVERIFY(eventually(
        [&] { return node_->device("lamp-7")["state"].toString() == "DEVICE_STATE_OFFLINE"; }));
    QVERIFY(node_->device("lamp-7")["lastError"].toString().startsWith("broker: "));
    broker_->start();
    QVERIFY(eventually([&] { return node_->metric("mqtt", "broker_connected") == 1.0; }));
    publish(
        *broker_, "lights/lamp-7/state",
        R"({"power_mw":7000,"temperature_dc":250,"dim_pct":25,"on":true,"occupancy":1,"fault":false})");
    QVERIFY(eventually([&] { return saw("lamp-7", "power", 7.0); }));
    QCOMPARE(node_->device("lamp-7")["state"].toString(), QString("DEVICE_STATE_ONLINE"));
  }

  void aPersistentSessionKeepsWhatArrivesWhileTheNodeIsDown() {
    // persistent_session + a stable client id: the broker keeps the subscriptions and
    // queues QoS 1 messages while the node restarts.
    const std::string config = node_->config_text();
    node_->stop();
    publish(
        *broker_, "lights/lamp-7/state",
        R"({"power_mw":8800,"temperature_dc":250,"dim_pct":25,"on":true,"occupancy":1,"fault":false})");
    QVERIFY2(node_->start_with(config), qPrintable(node_->log()));
    QVERIFY2(eventually([&] { return saw("lamp-7", "power", 8.8); }), qPrintable(node_->log()));
  }

  void aHotSwapUnderLoadLosesNoMessageAndDuplicatesNone() {
    // QoS 1 and a persistent session: what arrives while the plugin is being swapped
    // waits at the broker for the successor.
    constexpr int kMessages = 400;
    const double frames_before = node_->metric("mqtt", "frames_out").value_or(0);
    itc::testing::MqttClient publisher("swap-load", broker_->port());
    std::atomic<int> sent{0};
    std::thread load([&] {
      for (int i = 0; i < kMessages; ++i) {
        publisher.publish("sensors/swap-1/battery", "{\"level\":" + std::to_string(i % 100) + "}",
                          1);
        sent = i + 1;
        std::this_thread::sleep_for(std::chrono::milliseconds(3));  // a steady load
      }
    });
    QVERIFY(eventually([&] { return sent >= kMessages / 4; }));
    const int sent_before_swap = sent;
    auto swap = node_->request(
        "POST", "/v1/plugins/mqtt/swap",
        QByteArray::fromStdString("{\"package\":\"" + itc::testing::env_or("ITC_PACKAGE_DIR") +
                                  "/mqtt.itcpkg\"}"));
    const int sent_after_swap = sent;
    load.join();
    QVERIFY2(swap.status == 200, swap.body.constData());
    QVERIFY2(sent_after_swap > sent_before_swap && sent_after_swap < kMessages,
             "the swap did not happen while messages flowed");
    QVERIFY(eventually([&] { return publisher.acknowledged() == kMessages; }));
    // A marker after the load: once its frame is out, any redelivered message would be too.
    publisher.publish("sensors/swap-1/battery", R"({"level":100})", 1);  // the only 100
    QVERIFY(eventually([&] { return saw("swap-1", "battery", 100); }));
    QCOMPARE(node_->metric("mqtt", "frames_out").value_or(0), frames_before + kMessages + 1);
    QCOMPARE(node_->device("swap-1")["errors"].toString().toInt(), 0);
    QCOMPARE(node_->metric("normalize", "frames_rejected_replayed").value_or(0), 0.0);
  }

  void brokenConfigsAreRefusedNamingTheField() {
    // Checked from the config alone: `itc-node --check-config` refuses them, naming
    // file:line:column and the field.
    const std::pair<const char*, const char*> static_cases[] = {
        {"protocol: mqtt4, devices: [{id: a, profile: dimmable-lamp}]",
         "plugins[0].config.protocol: must be mqtt311 or mqtt5, got \"mqtt4\""},
        {"devices: [{id: a, profile: dimmable-lamp, sparkplug: {edge_node: n1}}]",
         "devices[0].sparkplug.group: required"},
        {"devices: [{id: a, profile: dimmable-lamp}, {id: a, profile: energy-meter}]",
         "devices[1].id: \"a\" is listed twice"},
        {"qos: 2, devices: [{id: a, profile: dimmable-lamp}]",
         "plugins[0].config.qos: must be 0..1, got 2"},
        {"username: u, password_file: /no/such/file, devices: [{id: a, profile: dimmable-lamp}]",
         "password_file: no such file: /no/such/file"},
        {"devices: [{id: a, profile: dimmable-lamp, address: \"lamps/#\"}]",
         "devices[0].address: \"lamps/#\" may not contain '/', '+' or '#'"},
        {"devices: []", "devices: at least one device is required"},
    };
    for (const auto& [config, expected] : static_cases) {
      MqttNode bad;
      auto [code, output] =
          bad.check_config(std::string("broker: ") + broker_->address() + ", " + config);
      QVERIFY2(code != 0, config);
      QVERIFY2(output.contains(expected), qPrintable(output));
    }

    // Checked against the node's device profiles when the plugin initialises: the node
    // runs on without it and says why.
    MqttNode bad;
    QVERIFY(!bad.start(
        "broker: " + broker_->address() +
        ", devices: [{id: a, profile: dimmable-lamp}, {id: b, profile: no-such-profile}]"));
    const QString reason = bad.plugin("mqtt")["reason"].toString();
    QCOMPARE(bad.plugin("mqtt")["state"].toString(), QString("FAILED"));
    QVERIFY2(reason.contains(
                 "plugins[0].config.devices[1].profile: unknown device profile "
                 "\"no-such-profile\" (known: dimmable-lamp, energy-meter, occupancy-sensor)"),
             qPrintable(reason));
  }
};

QTEST_GUILESS_MAIN(JsonDeviceTest)
#include "json_device_test.moc"
