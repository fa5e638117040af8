// Sparkplug B end to end: a Node.js edge node that is not ours (npm mqtt +
// sparkplug-payload) publishes births, alias-only data and deaths through a real mosquitto
// broker to a real itc-node running the signed mqtt, normalize and control packages.
// Everything is asserted where a user sees it: readings and device states on the admin
// API, Rebirth requests and commands at the edge node.
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "mqtt_peers.hpp"

using itc::testing::EdgeNodePeer;
using itc::testing::eventually;
using itc::testing::MosquittoBroker;
using itc::testing::MqttNode;

namespace {

QJsonObject cmd(const char* name, QJsonObject fields = {}) {
  fields["cmd"] = name;
  return fields;
}

QJsonObject metric(const char* name, int alias, const char* type, QJsonValue value) {
  return {{"name", name}, {"alias", alias}, {"type", type}, {"value", value}};
}
QJsonObject by_alias(int alias, const char* type, QJsonValue value) {
  return {{"alias", alias}, {"type", type}, {"value", value}};
}

// The dimmable-lamp's Sparkplug metrics, with the aliases this edge node gives them.
QJsonArray lamp_birth() {
  return {metric("Light/Power", 1, "UInt32", 5000),   metric("Light/Temperature", 2, "Int16", 215),
          metric("Light/Dim", 3, "UInt8", 40),        metric("Light/On", 4, "Boolean", true),
          metric("Sensor/Occupancy", 5, "UInt16", 1), metric("Light/Fault", 6, "Boolean", false)};
}

itc::v1::Command command(const char* device, itc::v1::Action action, std::uint32_t level,
                         std::uint64_t nonce) {
  itc::v1::Command c;
  c.set_device_id(device);
  c.set_action(action);
  c.set_dim_level(level);
  c.set_nonce(nonce);
  c.set_issued_at_us(std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
  return c;
}

// Sparkplug B: every payload and metric timestamp is UTC milliseconds since the epoch.
// True if `event` (an ncmd or dcmd as the edge node decoded it) carries such timestamps
// within a minute of now, on the payload and on every metric.
bool stamped_with_wall_time(const QJsonObject& event) {
  const double now = static_cast<double>(QDateTime::currentMSecsSinceEpoch());
  auto near_now = [&](const QJsonValue& t) {
    return t.isDouble() && std::abs(t.toDouble() - now) < 60'000;
  };
  if (!near_now(event["timestamp"])) return false;
  const QJsonArray metrics = event["metrics"].toArray();
  return !metrics.isEmpty() &&
         std::all_of(metrics.begin(), metrics.end(),
                     [&](const QJsonValue& m) { return near_now(m.toObject()["timestamp"]); });
}

}  // namespace

class SparkplugTest : public QObject {
  Q_OBJECT

  std::unique_ptr<MosquittoBroker> broker_;
  std::unique_ptr<MqttNode> node_;

  QString state_of(const char* device) { return node_->device(device)["state"].toString(); }
  bool saw(const char* device, const char* metric, double value) {
    return node_->saw_reading(device, metric, value);
  }
  // A connected, born edge node with lamp1 (and more devices if given).
  std::unique_ptr<EdgeNodePeer> born_edge_node(const char* name, QStringList devices = {"lamp1"}) {
    auto edge = std::make_unique<EdgeNodePeer>(broker_->url(), "plant1", name);
    edge->send(cmd("connect"));
    if (edge->wait_event("connected").isEmpty()) return nullptr;
    if (!edge->publish(cmd("nbirth"))) return nullptr;
    for (const QString& d : devices) {
      if (!edge->publish(cmd("dbirth", {{"device", d}, {"metrics", lamp_birth()}}))) return nullptr;
    }
    return edge;
  }

 private slots:
  void initTestCase() {
    broker_ = std::make_unique<MosquittoBroker>();
    node_ = std::make_unique<MqttNode>();
    const bool started = node_->start("broker: " + broker_->address() +
                                      ", persistent_session: true, client_id: itc-sparkplug-test,"
                                      " sparkplug: {rebirth_interval_ms: 500}, devices: ["
                                      "{id: line1-lamp1, profile: dimmable-lamp, sparkplug: "
                                      "{group: plant1, edge_node: line1, device: lamp1}},"
                                      "{id: line2-lamp1, profile: dimmable-lamp, sparkplug: "
                                      "{group: plant1, edge_node: line2, device: lamp1}},"
                                      "{id: line3-lamp1, profile: dimmable-lamp, sparkplug: "
                                      "{group: plant1, edge_node: line3, device: lamp1}},"
                                      "{id: line3-lamp2, profile: dimmable-lamp, sparkplug: "
                                      "{group: plant1, edge_node: line3, device: lamp2}},"
                                      "{id: line4-lamp1, profile: dimmable-lamp, sparkplug: "
                                      "{group: plant1, edge_node: line4, device: lamp1}}]");
    QVERIFY2(started, qPrintable(node_->log()));
  }
  void cleanupTestCase() {
    node_.reset();
    broker_.reset();
  }

  void aliasOnlyDdataBecomesTypedScaledReadings() {
    auto edge = born_edge_node("line1");
    QVERIFY(edge);
    // The birth's own values are readings too.
    QVERIFY(eventually([&] { return saw("line1-lamp1", "power", 5.0); }));
    QVERIFY(edge->publish(
        cmd("ddata",
            {{"device", "lamp1"},
             {"metrics", QJsonArray{by_alias(1, "UInt32", 7250), by_alias(2, "Int16", -35),
                                    by_alias(4, "Boolean", false), by_alias(5, "UInt16", 4)}}})));
    QVERIFY(eventually([&] { return saw("line1-lamp1", "temperature", -3.5); }));
    auto power = *node_->reading("line1-lamp1", "power");
    QCOMPARE(power["value"].toDouble(), 7.25);  // milliwatts scaled to watts
    QCOMPARE(power["unit"].toString(), QString("W"));
    QCOMPARE(power["quality"].toString(), QString("QUALITY_GOOD"));
    QCOMPARE((*node_->reading("line1-lamp1", "on"))["value"].toDouble(), 0.0);
    QCOMPARE((*node_->reading("line1-lamp1", "occupancy"))["value"].toDouble(), 4.0);
    QCOMPARE(state_of("line1-lamp1"), QString("DEVICE_STATE_ONLINE"));
    QCOMPARE(node_->device("line1-lamp1")["errors"].toString().toInt(), 0);

    // A seq gap: the plugin asks the edge node for a Rebirth; the data still counts.
    edge->send(cmd("skip_seq", {{"n", 3}}));
    QVERIFY(!edge->wait_event("skipped").isEmpty());
    QVERIFY(edge->publish(
        cmd("ddata", {{"device", "lamp1"}, {"metrics", QJsonArray{by_alias(3, "UInt8", 55)}}})));
    auto ncmd = edge->wait_event("ncmd");
    QVERIFY2(ncmd["rebirth"].toBool(), QJsonDocument(ncmd).toJson().constData());
    QVERIFY2(stamped_with_wall_time(ncmd), QJsonDocument(ncmd).toJson().constData());
    QVERIFY(eventually([&] { return saw("line1-lamp1", "dim", 55); }));
    QVERIFY(eventually([&] {
      return node_->device("line1-lamp1")["lastError"].toString().contains("seq gap: expected");
    }));
    QVERIFY(node_->device("line1-lamp1")["errors"].toString().toInt() >= 1);
    // The edge node re-born (NBIRTH + DBIRTH, seq from 0): data flows again without errors.
    QVERIFY(edge->wait_for([](const QJsonObject& e) {
                  return e["event"] == "published" &&
                         e["topic"].toString().endsWith("DBIRTH/line1/lamp1");
                })
                .size() > 0);
    const int errors = node_->device("line1-lamp1")["errors"].toString().toInt();
    QVERIFY(edge->publish(
        cmd("ddata", {{"device", "lamp1"}, {"metrics", QJsonArray{by_alias(3, "UInt8", 65)}}})));
    QVERIFY(eventually([&] { return saw("line1-lamp1", "dim", 65); }));
    QCOMPARE(node_->device("line1-lamp1")["errors"].toString().toInt(), errors);

    // An alias the birth never defined: reported, and a Rebirth is asked for again; the
    // metrics next to it still go through.
    QVERIFY(edge->publish(cmd(
        "ddata", {{"device", "lamp1"},
                  {"metrics", QJsonArray{by_alias(99, "UInt8", 1), by_alias(3, "UInt8", 70)}}})));
    QVERIFY(edge->wait_event("ncmd")["rebirth"].toBool());
    QVERIFY(eventually([&] { return saw("line1-lamp1", "dim", 70); }));
    QVERIFY(eventually(
        [&] { return node_->device("line1-lamp1")["lastError"].toString().contains("alias 99"); }));
    QVERIFY(node_->metric("mqtt", "rebirths_requested").value_or(0) >= 2);
  }

  void ownerSignedDimCommandReachesTheEdgeNodeAsDcmd() {
    auto edge = born_edge_node("line2");
    QVERIFY(edge);
    QVERIFY(eventually([&] { return state_of("line2-lamp1") == "DEVICE_STATE_ONLINE"; }));

    auto reply = node_->command(command("line2-lamp1", itc::v1::ACTION_DIM, 30, 1));
    QVERIFY2(reply.status == 200 && reply.json["accepted"].toBool(), reply.body.constData());
    auto dcmd = edge->wait_event("dcmd");
    QCOMPARE(dcmd["device"].toString(), QString("lamp1"));
    QVERIFY2(stamped_with_wall_time(dcmd), QJsonDocument(dcmd).toJson().constData());
    const auto m = dcmd["metrics"].toArray().at(0).toObject();
    QCOMPARE(m["alias"].toInt(), 3);  // the alias from the DBIRTH
    QCOMPARE(m["name"].toString(), QString("Light/Dim"));
    QCOMPARE(m["type"].toString(), QString("UInt8"));  // typed as the birth said
    QCOMPARE(m["value"].toInt(), 30);

    reply = node_->command(command("line2-lamp1", itc::v1::ACTION_OFF, 0, 2));
    QVERIFY2(reply.json["accepted"].toBool(), reply.body.constData());
    const auto off = edge->wait_event("dcmd")["metrics"].toArray().at(0).toObject();
    QCOMPARE(off["alias"].toInt(), 4);
    QCOMPARE(off["value"].toBool(), false);
    QCOMPARE(node_->metric("mqtt", "commands_sent").value_or(0), 2.0);

    // The edge node vanishes without a word: the broker publishes its will (NDEATH with
    // the session's bdSeq) and the device goes offline.
    edge->send(cmd("disconnect"));
    QVERIFY(eventually([&] { return state_of("line2-lamp1") == "DEVICE_STATE_OFFLINE"; }));
    QVERIFY(node_->device("line2-lamp1")["lastError"].toString().contains("NDEATH"));
  }

  void deathsTakeDevicesOfflineButAStaleNdeathIsIgnored() {
    auto edge = born_edge_node("line3", {"lamp1", "lamp2"});
    QVERIFY(edge);
    QVERIFY(eventually([&] {
      return state_of("line3-lamp1") == "DEVICE_STATE_ONLINE" &&
             state_of("line3-lamp2") == "DEVICE_STATE_ONLINE";
    }));

    // An NDEATH from an older session (another bdSeq) changes nothing.
    QVERIFY(edge->publish(cmd("ndeath", {{"bdSeq", 77}})));
    QVERIFY(
        eventually([&] { return node_->metric("mqtt", "errors_stale_death").value_or(0) >= 1; }));
    QVERIFY(node_->device("line3-lamp1")["lastError"].toString().contains("bdSeq 77 ignored"));
    QCOMPARE(state_of("line3-lamp1"), QString("DEVICE_STATE_ONLINE"));
    QCOMPARE(state_of("line3-lamp2"), QString("DEVICE_STATE_ONLINE"));

    // DDEATH: that device only.
    QVERIFY(edge->publish(cmd("ddeath", {{"device", "lamp2"}})));
    QVERIFY(eventually([&] { return state_of("line3-lamp2") == "DEVICE_STATE_OFFLINE"; }));
    QCOMPARE(state_of("line3-lamp1"), QString("DEVICE_STATE_ONLINE"));

    // The node's own NDEATH (matching bdSeq): every device of it.
    QVERIFY(edge->publish(cmd("ndeath")));
    QVERIFY(eventually([&] { return state_of("line3-lamp1") == "DEVICE_STATE_OFFLINE"; }));
    QVERIFY(
        node_->device("line3-lamp1")["lastError"].toString().contains("NDEATH of the edge node"));

    // Data after the death, before a new birth: refused and a Rebirth is asked for.
    QVERIFY(edge->publish(
        cmd("ddata", {{"device", "lamp1"}, {"metrics", QJsonArray{by_alias(3, "UInt8", 10)}}})));
    QVERIFY(edge->wait_event("ncmd")["rebirth"].toBool());
    QVERIFY(eventually([&] {
      return node_->device("line3-lamp1")["lastError"].toString().contains(
          "before the edge node's NBIRTH");
    }));
  }

  void aHotSwapHandsTheSessionOverWithoutARebirth() {
    auto edge = born_edge_node("line4");
    QVERIFY(edge);
    QVERIFY(edge->publish(
        cmd("ddata", {{"device", "lamp1"}, {"metrics", QJsonArray{by_alias(3, "UInt8", 21)}}})));
    QVERIFY(eventually([&] { return saw("line4-lamp1", "dim", 21); }));
    const double rebirths = node_->metric("mqtt", "rebirths_requested").value_or(0);
    const double connects = node_->metric("mqtt", "connects").value_or(0);

    auto swap = node_->request(
        "POST", "/v1/plugins/mqtt/swap",
        QByteArray::fromStdString("{\"package\":\"" + itc::testing::env_or("ITC_PACKAGE_DIR") +
                                  "/mqtt.itcpkg\"}"));
    QVERIFY2(swap.status == 200, swap.body.constData());
    QCOMPARE(node_->plugin("mqtt")["swaps"].toInt(), 1);
    // The successor resumed the persistent session (same client id, subscriptions kept).
    QVERIFY(eventually([&] { return node_->metric("mqtt", "connects").value_or(0) > connects; }));

    // Aliases and seq carried over: alias-only data goes on, no error, no Rebirth.
    QVERIFY(edge->publish(
        cmd("ddata", {{"device", "lamp1"}, {"metrics", QJsonArray{by_alias(3, "UInt8", 22)}}})));
    QVERIFY(eventually([&] { return saw("line4-lamp1", "dim", 22); }));
    QCOMPARE(node_->device("line4-lamp1")["errors"].toString().toInt(), 0);
    QCOMPARE(node_->metric("mqtt", "rebirths_requested").value_or(0), rebirths);
  }

  // Last: it ends the node. STATE is retained, so a fresh subscriber reads the current one.
  void stateSaysOnlineAndTheWillSaysOfflineWhenTheNodeDies() {
    auto state = [&]() -> QJsonObject {
      QProcess sub;
      sub.start("mosquitto_sub", {"-h", "127.0.0.1", "-p", QString::number(broker_->port()), "-t",
                                  "spBv1.0/STATE/mqtt-test-node", "-C", "1", "-W", "10"});
      if (!sub.waitForFinished(15000)) return {};
      return QJsonDocument::fromJson(sub.readAllStandardOutput()).object();
    };
    const QJsonObject online = state();
    QCOMPARE(online["online"].toBool(), true);
    QVERIFY(online["timestamp"].toDouble() > 1.7e12);  // Unix milliseconds

    node_->process().kill();  // SIGKILL: no goodbye
    QVERIFY(!node_->process().running());
    QJsonObject will;
    QVERIFY(eventually([&] {
      will = state();
      return will.contains("online") && !will["online"].toBool();
    }));
    QCOMPARE(will["timestamp"].toDouble(), online["timestamp"].toDouble());  // spec 3.0
  }
};

QTEST_GUILESS_MAIN(SparkplugTest)
#include "sparkplug_test.moc"
