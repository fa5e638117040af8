// The modbus plugin's real .so (loaded by the host's loader) driven by FakeEnv, against a
// real Modbus TCP server (npm modbus-serial): what it reads and how it decodes it, what
// it reports when a device answers with an exception, a NaN, or not at all, how commands
// become writes, and that a broken config is refused naming the field.
// FakeEnv's clock is manual: polls happen as the test advances it (pump()); Modbus
// timeouts are real time.
#include <QtTest>

#include "itc/command_signing.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/testing/fake_env.hpp"
#include "lamp_profile.hpp"
#include "light_chain.hpp"
#include "local_network.hpp"
#include "modbus.pb.h"
#include "modbus_peer.hpp"
#include "plugin_loader.hpp"

using itc::testing::FakeEnv;
using itc::testing::ModbusPeer;
namespace v1 = itc::v1;

namespace {

std::string owner_hex() {
  static const std::string hex = itc::crypto::to_hex(itc::testing::new_key().public_key());
  return hex;
}

itc::modbus::Device* add_device(itc::modbus::Config* c, const std::string& id,
                                const std::string& profile, std::uint16_t port, int unit) {
  auto* d = c->add_devices();
  d->set_id(id);
  d->set_profile(profile);
  d->set_host("127.0.0.1");
  d->set_port(port);
  d->set_unit_id(static_cast<std::uint32_t>(unit));
  return d;
}

itc::modbus::Config base_config() {
  itc::modbus::Config c;
  c.set_owner_public_key(owner_hex());
  c.set_poll_interval_ms(50);
  c.set_timeout_ms(150);
  c.set_retries(0);
  c.set_offline_after(2);
  c.set_reconnect_min_ms(100);
  c.set_reconnect_max_ms(200);
  return c;
}

std::string serialized(const itc::modbus::Config& c) { return c.SerializeAsString(); }

// The value of raw metric `name` in `frame`, or null.
const v1::RawValue* value_of(const v1::RawFrame& frame, const std::string& name) {
  for (const auto& v : frame.values()) {
    if (v.metric() == name) return &v;
  }
  return nullptr;
}

// A model with a 32-bit low-word-first setpoint in holding registers, for multi-register
// writes (function 16) in the device's word order.
v1::DeviceProfile setpoint_profile() {
  v1::DeviceProfile p;
  p.set_name("setpoint-controller");
  auto* m = p.add_metrics();
  m->set_name("limit");
  m->set_unit("W");
  itc::modbus::ModbusSource source;  // the plugin's section of the metric
  source.set_function(itc::modbus::MODBUS_FUNCTION_HOLDING_REGISTERS);
  source.set_address(10);
  source.set_data_type(itc::modbus::MODBUS_DATA_TYPE_UINT32);
  source.set_word_order(itc::modbus::WORD_ORDER_LOW_FIRST);
  (*m->mutable_sources())["modbus"] = source.SerializeAsString();
  m->set_scale(0.001);  // the device counts mW; a command's dim_level is in W
  auto* c = p.add_controls();
  c->set_action(v1::ACTION_DIM);
  c->set_metric("limit");
  return p;
}

}  // namespace

class ModbusPluginTest : public QObject {
  Q_OBJECT

  QTemporaryDir run_dir_;
  std::shared_ptr<itc::host::PluginLibrary> lib_;

  struct Running {
    FakeEnv env;
    std::shared_ptr<itc::Plugin> plugin;
    ~Running() {
      if (plugin) plugin->stop();
    }
    // Advances the manual clock in small steps (real time passes too) until `pred`.
    bool pump(const std::function<bool()>& pred, int ms = 15000) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
      while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        env.advance(std::chrono::milliseconds(10));
        QTest::qWait(5);
      }
      return pred();
    }
    std::vector<v1::RawFrame> frames(const std::string& device) {
      std::vector<v1::RawFrame> out;
      for (auto& f : env.bus().published_as<v1::RawFrame>(itc::topics::kRawFrames)) {
        if (f.device_id() == device) out.push_back(f);
      }
      return out;
    }
    std::vector<v1::DeviceReport> reports(const std::string& device) {
      std::vector<v1::DeviceReport> out;
      for (auto& r : env.bus().published_as<v1::DeviceReport>(itc::topics::kDeviceReports)) {
        if (r.device_id() == device) out.push_back(r);
      }
      return out;
    }
    bool has_report(const std::string& device, v1::DeviceReport::Link link,
                    const std::string& error_part = "") {
      for (auto& r : reports(device)) {
        if (r.link() == link && r.error().find(error_part) != std::string::npos) return true;
      }
      return false;
    }
    std::vector<v1::CommandResult> results() {
      return env.bus().published_as<v1::CommandResult>(itc::topics::kCommandResults);
    }
  };

  std::unique_ptr<Running> start(const itc::modbus::Config& config) {
    auto r = std::make_unique<Running>();
    for (const char* name : {"energy-meter", "dimmable-lamp"}) {
      r->env.device_profiles().put(itc::testing::shipped_profile(name, {lib_.get()}));
    }
    r->env.device_profiles().put(setpoint_profile());
    r->plugin = itc::testing::create_plugin(*lib_);
    auto st = r->plugin->initialise(r->env, serialized(config));
    if (!st.ok()) qFatal("initialise: %s", st.ToString().c_str());
    st = r->plugin->start();
    if (!st.ok()) qFatal("start: %s", st.ToString().c_str());
    return r;
  }

  // A command as control would pass it on (authorised already).
  static void command(Running& r, const std::string& device, v1::Action action, std::uint32_t level,
                      std::uint64_t nonce) {
    v1::Command cmd;
    cmd.set_device_id(device);
    cmd.set_action(action);
    cmd.set_dim_level(level);
    cmd.set_nonce(nonce);
    QVERIFY(r.env.bus().publish_value(itc::topics::kCommands, cmd).ok());
  }
  static const v1::CommandResult* result_of(const std::vector<v1::CommandResult>& results,
                                            std::uint64_t nonce) {
    for (auto& r : results) {
      if (r.nonce() == nonce) return &r;
    }
    return nullptr;
  }

 private slots:
  void initTestCase() {
    lib_ = itc::testing::load_plugin_library("libitc-modbus.so", run_dir_.path().toStdString());
  }

  void brokenConfigIsRefusedNamingTheField() {
    auto p = itc::testing::create_plugin(*lib_);
    const std::uint16_t port = 1502;
    // As the node's config check sees them: the host's schema (the ranges the proto
    // declares), then the plugin.
    auto expect = [&](itc::modbus::Config c, const std::string& text) {
      itc::Status st = itc::testing::check_config_bytes(*lib_, *p, serialized(c));
      QVERIFY2(!st.ok() && st.message().find(text) != std::string::npos,
               (text + " <- " + st.ToString()).c_str());
    };
    auto good = base_config();
    add_device(&good, "meter-1", "energy-meter", port, 1);
    QVERIFY(p->validate_config(serialized(good)).ok());

    auto c = good;
    c.clear_owner_public_key();
    expect(c, "owner_public_key: required");
    c = good;
    c.set_owner_public_key("not-a-key");
    expect(c, "owner_public_key: ");
    c = good;
    c.clear_devices();
    expect(c, "devices: at least one device");
    c = good;
    add_device(&c, "meter-1", "energy-meter", port, 2);
    expect(c, "devices[1].id: \"meter-1\" is used by another device");
    c = good;
    c.mutable_devices(0)->set_port(0);
    expect(c, "devices[0].port: must be 1..65535, got 0");
    c = good;
    c.mutable_devices(0)->set_unit_id(0);
    expect(c, "devices[0].unit_id: must be 1..247 or 255");
    c = good;
    c.mutable_devices(0)->clear_host();
    expect(c, "devices[0].host: required");
    c = good;
    c.mutable_devices(0)->clear_profile();
    expect(c, "devices[0].profile: required");
    c = good;
    c.mutable_devices(0)->set_timeout_ms(5);
    expect(c, "devices[0].timeout_ms: must be 10..60000, got 5");
    c = good;
    c.set_poll_interval_ms(3600001);
    expect(c, "poll_interval_ms: must be 0..3600000, got 3600001");
    c = good;
    c.set_retries(11);
    expect(c, "retries: must be 0..10");
    c = good;
    c.set_reconnect_min_ms(1000);
    c.set_reconnect_max_ms(500);
    expect(c, "reconnect_max_ms: must not be below reconnect_min_ms");
    c = good;
    c.set_max_gap_registers(125);
    expect(c, "max_gap_registers: must be 0..124");
    c = good;
    c.add_profile_defaults()->set_profile("energy-meter");
    expect(c, "profile_defaults[0].poll_interval_ms: required");

    // What only the node's profiles can tell is checked at initialise.
    FakeEnv env;
    env.device_profiles().put(itc::testing::shipped_profile("energy-meter", {lib_.get()}));
    v1::DeviceProfile mqtt_only;
    mqtt_only.set_name("mqtt-only");
    mqtt_only.add_metrics()->set_name("x");
    env.device_profiles().put(mqtt_only);
    v1::DeviceProfile bad = setpoint_profile();
    bad.set_name("bad-count");
    itc::modbus::ModbusSource three;
    three.ParseFromString(bad.metrics(0).sources().at("modbus"));
    three.set_count(3);
    (*bad.mutable_metrics(0)->mutable_sources())["modbus"] = three.SerializeAsString();
    env.device_profiles().put(bad);
    c = good;
    c.mutable_devices(0)->set_profile("no-such-model");
    itc::Status st = itc::testing::create_plugin(*lib_)->initialise(env, serialized(c));
    QVERIFY2(
        st.message().rfind("devices[0].profile: no device profile named \"no-such-model\"", 0) == 0,
        st.ToString().c_str());
    c.mutable_devices(0)->set_profile("mqtt-only");
    st = itc::testing::create_plugin(*lib_)->initialise(env, serialized(c));
    QVERIFY2(
        st.message() == "devices[0].profile: profile mqtt-only has no metric with a modbus source",
        st.ToString().c_str());
    c.mutable_devices(0)->set_profile("bad-count");
    st = itc::testing::create_plugin(*lib_)->initialise(env, serialized(c));
    QVERIFY2(st.message() ==
                 "devices[0].profile: metrics[0] (limit): modbus.count: uint32 takes 2 "
                 "register(s), got 3",
             st.ToString().c_str());
  }

  void readsTheShippedProfilesAsTheDeviceEncodesThem() {
    const std::uint16_t port = itc::testing::free_port();
    ModbusPeer server({port}, {"energy-meter:1", "dimmable-lamp:2"});
    auto c = base_config();
    add_device(&c, "meter-1", "energy-meter", port, 1);
    add_device(&c, "lamp-1", "dimmable-lamp", port, 2);
    auto r = start(c);

    // Registered under the gateway's key, with the configured owner.
    auto regs = r->env.bus().published_as<v1::DeviceRegistration>(itc::topics::kRegistrations);
    QCOMPARE(regs.size(), std::size_t(2));
    QCOMPARE(itc::crypto::to_hex(regs[0].owner_public_key()), owner_hex());
    QCOMPARE(regs[0].public_key().size(), std::size_t(32));

    QVERIFY(r->pump([&] { return !r->frames("meter-1").empty() && !r->frames("lamp-1").empty(); }));
    const v1::RawFrame meter = r->frames("meter-1").front();
    QCOMPARE(meter.profile(), std::string("energy-meter"));
    QCOMPARE(meter.values_size(), 5);
    QCOMPARE(value_of(meter, "voltage")->raw_double(), 230.5);  // float32
    QCOMPARE(value_of(meter, "current")->raw_double(), 4.25);
    QCOMPARE(value_of(meter, "power")->raw_double(), 980.0);  // W, unscaled
    QCOMPARE(value_of(meter, "energy")->raw_int(), 1234567);  // uint32 low word first
    QCOMPARE(value_of(meter, "frequency")->raw_int(), 5002);  // holding register
    QCOMPARE(meter.signature().size(), std::size_t(64));
    const v1::RawFrame lamp = r->frames("lamp-1").front();
    QCOMPARE(lamp.values_size(), 6);
    QCOMPARE(value_of(lamp, "power_mw")->raw_int(), 8500);
    QCOMPARE(value_of(lamp, "temperature_dc")->raw_int(), -55);  // int16
    QCOMPARE(value_of(lamp, "occupancy")->raw_int(), 3);
    QCOMPARE(value_of(lamp, "dim_pct")->raw_int(), 75);
    QCOMPARE(value_of(lamp, "on")->raw_bool(), true);      // coil
    QCOMPARE(value_of(lamp, "fault")->raw_bool(), false);  // discrete input
    QVERIFY(r->has_report("meter-1", v1::DeviceReport::LINK_UP));

    // A value the device changes shows in a later frame.
    QVERIFY(server.set(1, "input_registers", 6, "uint32", 4000000000.0, "low_first"));
    QVERIFY(r->pump([&] {
      auto f = r->frames("meter-1");
      return value_of(f.back(), "energy")->raw_int() == 4000000000;
    }));
    // One request per table and poll: 2 for the meter, 4 for the lamp.
    const auto polls = r->env.metrics().counter_value("polls");
    const auto requests = r->env.metrics().counter_value("requests");
    QVERIFY(polls > 0);
    QVERIFY2(
        requests <= polls * 4 && requests >= polls * 2,
        (std::to_string(requests) + " requests for " + std::to_string(polls) + " polls").c_str());
  }

  void exceptionsAndNaNsAreReportedAndTheRestStillFlows() {
    const std::uint16_t port = itc::testing::free_port();
    ModbusPeer server({port}, {"energy-meter:1"});
    auto c = base_config();
    add_device(&c, "meter-1", "energy-meter", port, 1);
    auto r = start(c);
    QVERIFY(r->pump([&] { return !r->frames("meter-1").empty(); }));

    QVERIFY(server.exception(1, "holding_registers", 100, 2));
    QVERIFY(r->pump([&] {
      return r->has_report(
          "meter-1", v1::DeviceReport::LINK_UNCHANGED,
          "reading holding registers 100..100: Modbus exception 2 (illegal data address)");
    }));
    QVERIFY(r->env.metrics().counter_value("errors_exception") > 0);
    // The device answered: it stays up and its other metrics keep coming.
    r->env.bus().clear_published();
    QVERIFY(r->pump([&] { return r->frames("meter-1").size() >= 2; }));
    QVERIFY(value_of(r->frames("meter-1").back(), "frequency") == nullptr);
    QVERIFY(value_of(r->frames("meter-1").back(), "voltage") != nullptr);
    QVERIFY(!r->has_report("meter-1", v1::DeviceReport::LINK_DOWN));
    QVERIFY(server.exception(1, "holding_registers", 100, 0));

    // A float register holding NaN: that value is skipped and reported, the rest sent.
    QVERIFY(server.raw(1, "input_registers", 0, {0x7FC0, 0x0000}));
    QVERIFY(r->pump([&] {
      return r->has_report("meter-1", v1::DeviceReport::LINK_UNCHANGED,
                           "metric voltage (input registers 0): float32 is NaN, value skipped");
    }));
    r->env.bus().clear_published();
    QVERIFY(r->pump([&] { return !r->frames("meter-1").empty(); }));
    const v1::RawFrame f = r->frames("meter-1").back();
    QVERIFY(value_of(f, "voltage") == nullptr);
    QCOMPARE(value_of(f, "current")->raw_double(), 4.25);
    QVERIFY(value_of(f, "frequency") != nullptr);
    QVERIFY(r->env.metrics().counter_value("errors_nan") > 0);

    // A device that refuses one address inside a merged request (a hole in its map):
    // the request is split per field, and only that field goes missing.
    QVERIFY(server.set(1, "input_registers", 0, "float32", 231.0));
    QVERIFY(server.exception(1, "input_registers", 3, 2));  // inside "current" (2..3)
    QVERIFY(r->pump([&] {
      return r->has_report("meter-1", v1::DeviceReport::LINK_UNCHANGED,
                           "reading input registers 0..7: Modbus exception 2 (illegal data "
                           "address); reading its 4 fields one by one from now on");
    }));
    r->env.bus().clear_published();
    QVERIFY(r->pump([&] { return r->frames("meter-1").size() >= 2; }));
    const v1::RawFrame split = r->frames("meter-1").back();
    QVERIFY(value_of(split, "current") == nullptr);
    QCOMPARE(value_of(split, "voltage")->raw_double(), 231.0);
    QCOMPARE(value_of(split, "energy")->raw_int(), 1234567);
    QCOMPARE(split.values_size(), 4);
  }

  void aSilentUnitGoesOfflineWithoutHoldingUpItsNeighbourAndComesBack() {
    const std::uint16_t port = itc::testing::free_port();
    ModbusPeer server({port}, {"energy-meter:1-2"});
    auto c = base_config();
    add_device(&c, "meter-1", "energy-meter", port, 1);
    add_device(&c, "meter-2", "energy-meter", port, 2);
    auto r = start(c);
    QVERIFY(
        r->pump([&] { return !r->frames("meter-1").empty() && !r->frames("meter-2").empty(); }));

    QVERIFY(server.mute(1, true));
    QVERIFY(r->pump([&] {
      return r->has_report("meter-1", v1::DeviceReport::LINK_DOWN,
                           "within 150 ms (2 polls failed in a row)");
    }));
    QVERIFY(r->env.metrics().counter_value("errors_timeout") >= 2);
    QCOMPARE(r->env.metrics().gauge_value("devices_online"), 1.0);
    // Its neighbour on the same connection keeps delivering.
    const std::size_t before = r->frames("meter-2").size();
    QVERIFY(r->pump([&] { return r->frames("meter-2").size() >= before + 5; }));
    QVERIFY(!r->has_report("meter-2", v1::DeviceReport::LINK_DOWN));

    QVERIFY(server.mute(1, false));
    r->env.bus().clear_published();
    QVERIFY(r->pump([&] { return r->has_report("meter-1", v1::DeviceReport::LINK_UP); }));
    QVERIFY(r->pump([&] { return !r->frames("meter-1").empty(); }));
    QCOMPARE(r->env.metrics().gauge_value("devices_online"), 2.0);
  }

  void aStoppedServerTakesItsDevicesOfflineUntilItListensAgain() {
    const std::uint16_t port = itc::testing::free_port();
    ModbusPeer server({port}, {"energy-meter:1"});
    auto c = base_config();
    add_device(&c, "meter-1", "energy-meter", port, 1);
    auto r = start(c);
    QVERIFY(r->pump([&] { return !r->frames("meter-1").empty(); }));

    QVERIFY(server.stop());
    QVERIFY(
        r->pump([&] { return r->has_report("meter-1", v1::DeviceReport::LINK_DOWN, "connect"); }));
    QVERIFY(r->env.metrics().counter_value("errors_connection") >= 2);
    QVERIFY(server.start());
    r->env.bus().clear_published();
    QVERIFY(r->pump([&] { return r->has_report("meter-1", v1::DeviceReport::LINK_UP); }));
    QVERIFY(r->pump([&] { return !r->frames("meter-1").empty(); }));
  }

  void commandsWriteCoilsAndRegistersInTheDeviceWordOrder() {
    const std::uint16_t port = itc::testing::free_port();
    ModbusPeer server({port}, {"dimmable-lamp:2"});
    auto c = base_config();
    add_device(&c, "lamp-1", "dimmable-lamp", port, 2);
    add_device(&c, "ctl-1", "setpoint-controller", port, 3);
    auto r = start(c);

    command(*r, "lamp-1", v1::ACTION_DIM, 40, 1);
    QVERIFY2(server.wait_write(2, "holding_registers", 0, {40}), qPrintable(server.output()));
    command(*r, "lamp-1", v1::ACTION_OFF, 0, 2);
    QVERIFY(server.wait_write(2, "coils", 0, {0}));
    QVERIFY(r->pump([&] {
      auto* a = result_of(r->results(), 1);
      auto* b = result_of(r->results(), 2);
      return a && b && a->accepted() && b->accepted();
    }));
    // The new values are read back.
    QVERIFY(r->pump([&] {
      auto f = r->frames("lamp-1");
      return !f.empty() && value_of(f.back(), "dim_pct")->raw_int() == 40 &&
             !value_of(f.back(), "on")->raw_bool();
    }));

    // 1500 W = 1,500,000 mW = 0x0016E360, low word first: function 16 with [0xE360, 0x0016].
    command(*r, "ctl-1", v1::ACTION_DIM, 1500, 3);
    QVERIFY(server.wait_write(3, "holding_registers", 10, {0xE360, 0x0016}));

    // Refused before anything is written, with the reason.
    command(*r, "lamp-1", v1::ACTION_DIM, 150, 4);
    command(*r, "lamp-1", v1::ACTION_SET_SCHEDULE, 0, 5);
    command(*r, "not-ours", v1::ACTION_ON, 0, 6);
    QVERIFY(r->pump([&] { return result_of(r->results(), 5) != nullptr; }));
    QCOMPARE(result_of(r->results(), 4)->reason(),
             std::string("dim 150 is outside the profile's range 0..100"));
    QVERIFY(!result_of(r->results(), 4)->accepted());
    QVERIFY(!result_of(r->results(), 5)->accepted());
    QVERIFY(result_of(r->results(), 6) == nullptr);  // another plugin's device
    QCOMPARE(r->env.metrics().counter_value("commands_refused"), 2u);

    // The device refuses a write with an exception: the result says which and why.
    QVERIFY(server.exception(2, "coils", 0, 3));
    command(*r, "lamp-1", v1::ACTION_ON, 0, 7);
    QVERIFY(r->pump([&] { return result_of(r->results(), 7) != nullptr; }));
    QCOMPARE(result_of(r->results(), 7)->reason(),
             std::string("writing coil 0 := 1 failed: Modbus exception 3 (illegal data value)"));
  }

  // With genesis_file the gateway verifies each command on its device's behalf (one light
  // client per device, itc::light::DeviceVerifiers) before writing: the owner's command
  // with a proof is written; the old owner's and one without a proof are not.
  void aGenesisMakesTheGatewayVerifyCommandsOnTheDevicesBehalf() {
    itc::test::LightChain chain;  // lamp-1: alice registered it, gave it to bob in block 3
    const std::string genesis = run_dir_.filePath("light-genesis.json").toStdString();
    QVERIFY(itc::write_file_atomically(genesis, itc::ledger::genesis_to_json(chain.genesis), 0644)
                .ok());
    const std::uint16_t port = itc::testing::free_port();
    ModbusPeer server({port}, {"dimmable-lamp:2"});
    auto c = base_config();
    c.set_genesis_file(genesis);
    add_device(&c, "lamp-1", "dimmable-lamp", port, 2);
    auto r = start(c);
    r->env.manual_clock().set_unix_epoch_us(chain.head().header().timestamp_us());
    const std::string proof = chain.state_proof("d/lamp-1");
    const auto send = [&](const itc::crypto::Ed25519PrivateKey& by, std::uint32_t level,
                          std::uint64_t nonce, const std::string& with_proof) {
      v1::Command cmd;
      cmd.set_device_id("lamp-1");
      cmd.set_action(v1::ACTION_DIM);
      cmd.set_dim_level(level);
      cmd.set_nonce(nonce);
      itc::sign_command(&cmd, by);
      cmd.set_ownership_proof(with_proof);
      QVERIFY(r->env.bus().publish_value(itc::topics::kCommands, cmd).ok());
    };
    send(chain.alice, 30, 1, proof);  // the old owner
    send(chain.bob, 60, 2, "");       // no proof
    send(chain.bob, 70, 3, proof);    // the owner
    QVERIFY2(server.wait_write(2, "holding_registers", 0, {70}), qPrintable(server.output()));
    QVERIFY(r->pump([&] { return result_of(r->results(), 3) != nullptr; }));
    const std::vector<v1::CommandResult> results = r->results();
    const auto* old_owner = result_of(results, 1);
    const auto* no_proof = result_of(results, 2);
    QVERIFY(old_owner && no_proof);
    QVERIFY2(!old_owner->accepted() && old_owner->reason().find("not_owner") != std::string::npos,
             old_owner->reason().c_str());
    QVERIFY2(!no_proof->accepted() && no_proof->reason().find("no_proof") != std::string::npos,
             no_proof->reason().c_str());
    QVERIFY(result_of(results, 3)->accepted());
    QCOMPARE(r->env.metrics().counter_value("commands_refused"), 2u);
  }

  void drainReturnsPromptlyWhileARequestWaitsForAnAnswer() {
    const std::uint16_t port = itc::testing::free_port();
    ModbusPeer server({port}, {"energy-meter:1"});
    QVERIFY(server.mute(1, true));
    auto c = base_config();
    c.set_timeout_ms(20000);
    add_device(&c, "meter-1", "energy-meter", port, 1);
    auto r = start(c);
    QVERIFY(r->pump([&] { return r->env.metrics().counter_value("requests") > 0; }));
    QTest::qWait(200);  // the request is now blocked waiting for its 20 s timeout
    const auto t0 = std::chrono::steady_clock::now();
    QVERIFY(r->plugin->drain().ok());
    const auto waited = std::chrono::steady_clock::now() - t0;
    QVERIFY2(
        waited < std::chrono::seconds(5),
        (std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()) +
         " ms")
            .c_str());
    // Hot swap: the successor learns which devices were up.
    v1::PluginState state;
    QVERIFY(r->plugin->export_state(&state).ok());
    QCOMPARE(state.type(), std::string("itc.modbus.LinkStates"));
    auto next = itc::testing::create_plugin(*lib_);
    QVERIFY(next->initialise(r->env, serialized(c)).ok());
    QVERIFY(next->import_state(state).ok());
    state.set_version(2);
    QCOMPARE(next->import_state(state).code(), itc::Status::Code::kIncompatible);
    next->stop();
  }
};

QTEST_GUILESS_MAIN(ModbusPluginTest)
#include "modbus_plugin_test.moc"
