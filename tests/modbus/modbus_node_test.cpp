// A real itc-node loading the signed modbus, normalize and control packages, reading
// real Modbus TCP servers (npm modbus-serial): readings scaled as the shipped profiles
// say, owner-signed commands written to the device, device lifecycle (ONLINE / OFFLINE
// and errors) in the node's device directory, all through the admin API.
#include <google/protobuf/util/json_util.h>

#include <QtTest>

#include "eventually.hpp"
#include "free_port.hpp"
#include "itc/command_signing.hpp"
#include "itc/crypto.hpp"
#include "lamp_profile.hpp"
#include "modbus_peer.hpp"
#include "node_process.hpp"

using itc::testing::eventually;
using itc::testing::HttpReply;
using itc::testing::ModbusPeer;
using itc::testing::NodeConfig;
using itc::testing::NodeProcess;
namespace v1 = itc::v1;

namespace {

template <typename T>
T parse(const QByteArray& json) {
  T msg;
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(json.toStdString(), &msg, o).ok()) {
    qWarning("cannot parse %s from %s", T::descriptor()->full_name().c_str(), json.constData());
  }
  return msg;
}

// The node's view of device `id`.
v1::DeviceStatus device(NodeProcess& node, const std::string& id) {
  return parse<v1::DeviceStatus>(node.get(QString::fromStdString("/v1/devices/" + id)).body);
}

// The latest reading of `metric` from `device` among the node's recent readings.
std::optional<v1::Reading> reading(NodeProcess& node, const std::string& device,
                                   const std::string& metric) {
  auto recent = parse<v1::RecentReadings>(node.get("/v1/readings/recent?max=1000").body);
  std::optional<v1::Reading> found;
  for (const auto& r : recent.readings()) {
    if (r.device_id() == device && r.metric() == metric) found = r;
  }
  return found;
}

}  // namespace

class ModbusNodeTest : public QObject {
  Q_OBJECT

  itc::crypto::Ed25519PrivateKey owner_ = *itc::crypto::Ed25519PrivateKey::generate();

  NodeConfig modbus_config(std::uint16_t port_a, std::uint16_t port_b) const {
    auto dev = [](const char* id, const char* profile, std::uint16_t port, int unit) {
      return std::string("        - {id: ") + id + ", profile: " + profile +
             ", host: 127.0.0.1, port: " + std::to_string(port) +
             ", unit_id: " + std::to_string(unit) + "}\n";
    };
    NodeConfig config("modbus-node", itc::testing::free_port());
    config.plugin_yaml(
        "  - name: modbus\n    package: " + itc::testing::package_path("modbus") +
        "\n    config:\n      owner_public_key: " + itc::crypto::to_hex(owner_.public_key()) +
        "\n      poll_interval_ms: 100\n      timeout_ms: 300\n      retries: 0\n"
        "      offline_after: 2\n      reconnect_min_ms: 100\n      reconnect_max_ms: 400\n"
        "      devices:\n" +
        dev("meter-1", "energy-meter", port_a, 1) + dev("lamp-1", "dimmable-lamp", port_a, 2) +
        dev("meter-2", "energy-meter", port_b, 1));
    return config.plugin("normalize").plugin("control");
  }

  HttpReply send(NodeProcess& node, const std::string& device, v1::Action action,
                 std::uint32_t level, std::uint64_t nonce) {
    v1::Command cmd;
    cmd.set_device_id(device);
    cmd.set_action(action);
    cmd.set_dim_level(level);
    cmd.set_nonce(nonce);
    cmd.set_issued_at_us(std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
    itc::sign_command(&cmd, owner_);
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(cmd, &json);
    return node.request("POST", "/v1/commands", QByteArray::fromStdString(json));
  }

  static bool near(const std::optional<v1::Reading>& r, double value, const char* unit) {
    return r && std::fabs(r->value() - value) < 1e-6 && r->unit() == unit &&
           r->quality() == v1::QUALITY_GOOD;
  }

 private slots:
  void readingsCommandsAndLinkStatesThroughARealNode() {
    const std::uint16_t port_a = itc::testing::free_port(), port_b = itc::testing::free_port();
    ModbusPeer server_a({port_a}, {"energy-meter:1", "dimmable-lamp:2"});
    ModbusPeer server_b({port_b}, {"energy-meter:1"});
    NodeProcess node;
    node.write_config(modbus_config(port_a, port_b));
    QVERIFY2(node.start_running(), qPrintable(node.log()));

    // Readings scaled as the profiles say (raw device units in, profile units out).
    QVERIFY2(eventually([&] { return near(reading(node, "meter-1", "energy"), 1234.567, "kWh"); }),
             qPrintable(node.log()));
    QVERIFY(near(reading(node, "meter-1", "voltage"), 230.5, "V"));     // float32 as is
    QVERIFY(near(reading(node, "meter-1", "power"), 0.98, "kW"));       // 980 W
    QVERIFY(near(reading(node, "meter-1", "frequency"), 50.02, "Hz"));  // 5002 cHz
    QVERIFY(eventually([&] { return near(reading(node, "lamp-1", "power"), 8.5, "W"); }));
    QVERIFY(near(reading(node, "lamp-1", "temperature"), -5.5, "degC"));
    QVERIFY(near(reading(node, "lamp-1", "dim"), 75, "%"));
    QVERIFY(near(reading(node, "lamp-1", "on"), 1, ""));
    QVERIFY(near(reading(node, "meter-2", "energy"), 1234.567, "kWh"));
    v1::DeviceStatus meter = device(node, "meter-1");
    QCOMPARE(meter.state(), v1::DEVICE_STATE_ONLINE);
    QCOMPARE(meter.source(), std::string("modbus"));
    QCOMPARE(meter.profile(), std::string("energy-meter"));

    // An owner-signed DIM reaches the lamp's holding register, and reads back.
    HttpReply r = send(node, "lamp-1", v1::ACTION_DIM, 40, 1);
    QVERIFY2(r.status == 200, r.body.constData());
    QVERIFY2(server_a.wait_write(2, "holding_registers", 0, {40}), qPrintable(server_a.output()));
    QVERIFY(eventually([&] { return near(reading(node, "lamp-1", "dim"), 40, "%"); }));
    // OFF and ON write the coil.
    QCOMPARE(send(node, "lamp-1", v1::ACTION_OFF, 0, 2).status, 200);
    QVERIFY(server_a.wait_write(2, "coils", 0, {0}));
    QCOMPARE(send(node, "lamp-1", v1::ACTION_ON, 0, 3).status, 200);
    QVERIFY(server_a.wait_write(2, "coils", 0, {1}));
    // A forged command never reaches the device.
    auto intruder = *itc::crypto::Ed25519PrivateKey::generate();
    std::swap(owner_, intruder);
    r = send(node, "lamp-1", v1::ACTION_DIM, 99, 4);
    std::swap(owner_, intruder);
    QCOMPARE(r.status, 403);

    // An exception response is counted, named, and the device stays online.
    const std::uint64_t errors_before = device(node, "meter-1").errors();
    QVERIFY(server_a.exception(1, "holding_registers", 100, 2));
    QVERIFY(eventually([&] {
      auto d = device(node, "meter-1");
      return d.errors() > errors_before &&
             d.last_error().find("Modbus exception 2 (illegal data address)") != std::string::npos;
    }));
    QCOMPARE(device(node, "meter-1").state(), v1::DEVICE_STATE_ONLINE);
    QVERIFY(server_a.exception(1, "holding_registers", 100, 0));

    // Server A goes away: its two devices go OFFLINE with the reason, while meter-2 on
    // server B keeps delivering readings throughout.
    QVERIFY(server_a.stop());
    QVERIFY(eventually([&] {
      return device(node, "meter-1").state() == v1::DEVICE_STATE_OFFLINE &&
             device(node, "lamp-1").state() == v1::DEVICE_STATE_OFFLINE;
    }));
    QVERIFY2(device(node, "meter-1").last_error().find("connect") != std::string::npos,
             device(node, "meter-1").last_error().c_str());
    const std::uint64_t meter2_before = device(node, "meter-2").readings();
    QVERIFY2(
        eventually([&] { return device(node, "meter-2").readings() >= meter2_before + 20; }),
        (node.request("GET", "/v1/devices/meter-2").body + node.request("GET", "/metrics").body)
            .constData());
    QCOMPARE(device(node, "meter-2").state(), v1::DEVICE_STATE_ONLINE);

    // Back: ONLINE again, readings flow again.
    QVERIFY(server_a.start());
    QVERIFY(eventually([&] {
      return device(node, "meter-1").state() == v1::DEVICE_STATE_ONLINE &&
             device(node, "lamp-1").state() == v1::DEVICE_STATE_ONLINE;
    }));
    const std::uint64_t meter1_after = device(node, "meter-1").readings();
    QVERIFY(eventually([&] { return device(node, "meter-1").readings() > meter1_after; }));
  }

  void theNodeRefusesABrokenModbusSectionNamingTheField() {
    NodeProcess node;
    node.write_config(modbus_config(0, 1502));  // port 0 for meter-1 and lamp-1
    const auto [code, out] = node.check_config(30000);
    QVERIFY2(code != -1, "itc-node --check-config did not finish");
    QVERIFY2(code != 0, qPrintable(out));
    QVERIFY2(out.contains("devices[0].port: must be 1..65535, got 0"), qPrintable(out));
  }
};

QTEST_MAIN(ModbusNodeTest)
#include "modbus_node_test.moc"
