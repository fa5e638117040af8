// Behaviour of the control plugin (itc.command-gateway.v1), loaded from its library: an
// owner-signed, fresh, never-used command goes out on device.commands; anything else is
// refused with a reason that names the device and what was wrong.
#include <QTemporaryDir>
#include <QtTest>
#include <chrono>

#include "itc/bus.hpp"
#include "itc/command_signing.hpp"
#include "itc/crypto.hpp"
#include "itc/services/command_gateway.hpp"
#include "plugin_harness.hpp"

using namespace std::chrono_literals;
using itc::Status;
using itc::crypto::Ed25519PrivateKey;
using itc::v1::Command;
using itc::v1::CommandResult;

namespace {

constexpr const char* kControl = "libitc-control.so";
constexpr const char* kLamp = "lamp-000042";

Ed25519PrivateKey key_from(char fill) {
  auto key = Ed25519PrivateKey::from_seed(std::string(32, fill));
  return key.ok() ? *key : Ed25519PrivateKey();
}

std::string hex8(const Ed25519PrivateKey& key) {
  return itc::crypto::to_hex(key.public_key().substr(0, 4)) + "…";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

class ControlTest : public QObject {
  Q_OBJECT

 private:
  Ed25519PrivateKey owner_ = key_from('o');
  Ed25519PrivateKey stranger_ = key_from('s');
  std::unique_ptr<itc::test::PluginHost> host_;
  itc::CommandGateway* gateway_ = nullptr;
  itc::Plugin* plugin_ = nullptr;

  // A control plugin on a fresh FakeEnv (or on `host`), lamp-000042 registered to owner_.
  bool start_control(const std::string& config = {}) {
    if (!host_) host_ = std::make_unique<itc::test::PluginHost>();
    auto plugin = host_->add(kControl, config);
    if (!plugin.ok()) {
      qWarning("%s", plugin.status().ToString().c_str());
      return false;
    }
    plugin_ = *plugin;
    if (!host_->start_all().ok()) return false;
    register_lamp(kLamp, owner_);
    gateway_ = host_->env().services().find<itc::CommandGateway>();
    return gateway_ != nullptr;
  }

  void register_lamp(const std::string& id, const Ed25519PrivateKey& owner) {
    itc::v1::DeviceRegistration r;
    r.set_device_id(id);
    r.set_profile("lamp-v1");
    r.set_public_key(key_from('d').public_key());
    r.set_owner_public_key(owner.public_key());
    QVERIFY(host_->env().bus().publish_value(itc::topics::kRegistrations, r).ok());
  }

  Command command(std::uint64_t nonce, itc::v1::Action action = itc::v1::ACTION_ON,
                  std::uint32_t dim = 0) {
    Command c;
    c.set_device_id(kLamp);
    c.set_action(action);
    c.set_dim_level(dim);
    c.set_nonce(nonce);
    c.set_issued_at_us(host_->env().clock().unix_micros());
    return c;
  }

  Command signed_by(Command c, const Ed25519PrivateKey& key) {
    itc::sign_command(&c, key);
    return c;
  }

  std::size_t sent() { return host_->env().bus().published_count(itc::topics::kCommands); }

 private slots:
  void cleanup() {
    host_.reset();
    gateway_ = nullptr;
    plugin_ = nullptr;
  }

  void acceptsAnOwnerSignedCommand() {
    QVERIFY(start_control());
    CommandResult r = gateway_->submit(signed_by(command(1, itc::v1::ACTION_DIM, 40), owner_));
    QVERIFY2(r.accepted(), r.reason().c_str());
    QCOMPARE(r.device_id(), std::string(kLamp));
    QCOMPARE(r.nonce(), 1u);
    auto out = host_->env().bus().published_as<Command>(itc::topics::kCommands);
    QCOMPARE(out.size(), std::size_t(1));
    QCOMPARE(out[0].dim_level(), 40u);
    QCOMPARE(host_->env().metrics().counter_value("commands_accepted"), 1u);
  }

  void refusesAForgedSignature() {
    QVERIFY(start_control());
    Command c = signed_by(command(1), owner_);
    c.set_action(itc::v1::ACTION_OFF);  // altered after signing
    CommandResult r = gateway_->submit(c);
    QVERIFY(!r.accepted());
    QVERIFY2(r.reason().rfind(std::string(kLamp) + ": signature does not verify", 0) == 0,
             r.reason().c_str());
    QCOMPARE(sent(), std::size_t(0));
    QCOMPARE(host_->env().metrics().counter_value("commands_refused"), 1u);

    Command unsigned_cmd = command(2);
    unsigned_cmd.set_owner_public_key(owner_.public_key());
    r = gateway_->submit(unsigned_cmd);
    QVERIFY(!r.accepted());
    QVERIFY2(contains(r.reason(), "not signed"), r.reason().c_str());
  }

  void refusesACommandSignedByAnotherOwner() {
    QVERIFY(start_control());
    CommandResult r = gateway_->submit(signed_by(command(1), stranger_));
    QVERIFY(!r.accepted());
    const std::string expected = std::string(kLamp) + ": signed by " + hex8(stranger_) +
                                 ", but its registered owner is " + hex8(owner_);
    QCOMPARE(r.reason(), expected);
    QCOMPARE(sent(), std::size_t(0));
  }

  void refusesAReplayedNonceAlsoAfterARestart() {
    QVERIFY(start_control());
    QVERIFY(gateway_->submit(signed_by(command(5), owner_)).accepted());
    CommandResult again = gateway_->submit(signed_by(command(5), owner_));
    QVERIFY(!again.accepted());
    QVERIFY2(contains(again.reason(), "nonce 5 is not above the last accepted nonce 5"),
             again.reason().c_str());
    QVERIFY(!gateway_->submit(signed_by(command(4), owner_)).accepted());
    QVERIFY(gateway_->submit(signed_by(command(6), owner_)).accepted());

    // A new plugin instance on the same storage (a restart) still refuses old nonces.
    auto& env = host_->env();
    host_->stop(plugin_);
    auto restarted = host_->load(kControl);
    QVERIFY(restarted.ok());
    env.services().withdraw(itc::CommandGateway::kServiceName);
    QVERIFY((*restarted)->initialise(env, {}).ok());
    QVERIFY((*restarted)->start().ok());
    register_lamp(kLamp, owner_);
    auto* gateway = env.services().find<itc::CommandGateway>();
    QVERIFY(gateway != gateway_);
    CommandResult replay = gateway->submit(signed_by(command(6), owner_));
    QVERIFY(!replay.accepted());
    QVERIFY2(contains(replay.reason(), "replay refused"), replay.reason().c_str());
    QVERIFY(gateway->submit(signed_by(command(7), owner_)).accepted());
  }

  void refusesStaleAndFutureCommands() {
    QVERIFY(start_control(itc::test::varint_field(1, 60)));
    Command old = command(1);
    host_->env().advance(61s);
    CommandResult r = gateway_->submit(signed_by(old, owner_));
    QVERIFY(!r.accepted());
    QVERIFY2(contains(r.reason(), "stale: issued 61 s ago, the limit is 60 s"), r.reason().c_str());

    Command future = command(2);
    future.set_issued_at_us(host_->env().clock().unix_micros() + 120'000'000);
    r = gateway_->submit(signed_by(future, owner_));
    QVERIFY(!r.accepted());
    QVERIFY2(contains(r.reason(), "120 s in the future"), r.reason().c_str());

    QVERIFY(gateway_->submit(signed_by(command(3), owner_)).accepted());  // fresh is fine
  }

  void refusesAnUnknownDevice() {
    QVERIFY(start_control());
    Command c = command(1);
    c.set_device_id("lamp-999999");
    CommandResult r = gateway_->submit(signed_by(c, owner_));
    QVERIFY(!r.accepted());
    QVERIFY2(r.reason().rfind("lamp-999999: unknown device", 0) == 0, r.reason().c_str());
  }

  void refusesInvalidActionFields() {
    QVERIFY(start_control());
    CommandResult r = gateway_->submit(signed_by(command(1, itc::v1::ACTION_DIM, 101), owner_));
    QVERIFY(!r.accepted());
    QVERIFY2(contains(r.reason(), "dim_level: must be 0..100, got 101"), r.reason().c_str());

    Command schedule = command(2, itc::v1::ACTION_SET_SCHEDULE);
    auto* e = schedule.add_schedule();
    e->set_minute_of_day(1440);
    e->set_action(itc::v1::ACTION_ON);
    r = gateway_->submit(signed_by(schedule, owner_));
    QVERIFY(!r.accepted());
    QVERIFY2(contains(r.reason(), "schedule[0].minute_of_day: must be 0..1439, got 1440"),
             r.reason().c_str());

    r = gateway_->submit(signed_by(command(3, itc::v1::ACTION_UNSPECIFIED), owner_));
    QVERIFY(!r.accepted());
    QVERIFY2(contains(r.reason(), "action: must be"), r.reason().c_str());

    e->set_minute_of_day(1439);
    schedule.set_nonce(4);
    r = gateway_->submit(signed_by(schedule, owner_));
    QVERIFY2(r.accepted(), r.reason().c_str());
    QCOMPARE(sent(), std::size_t(1));
  }

  void refusesCommandsWhenNotRunning() {
    QVERIFY(start_control());
    QVERIFY(host_->shutdown().ok());
    host_ = std::make_unique<itc::test::PluginHost>();
    auto plugin = host_->add(kControl);
    QVERIFY(plugin.ok());
    auto* gateway = host_->env().services().find<itc::CommandGateway>();
    register_lamp(kLamp, owner_);
    CommandResult r = gateway->submit(signed_by(command(1), owner_));  // before start()
    QVERIFY(!r.accepted());
    QVERIFY2(contains(r.reason(), "not running"), r.reason().c_str());
  }

  void ownersSurviveAHotSwap() {
    QVERIFY(start_control());
    // The host drains the old version, takes its state and starts the successor with it.
    QVERIFY(plugin_->drain().ok());
    QVERIFY(!gateway_->submit(signed_by(command(1), owner_)).accepted());  // draining
    itc::v1::PluginState state;
    QVERIFY(plugin_->export_state(&state).ok());
    QCOMPARE(state.type(), std::string("itc.control.Owners"));
    host_->stop(plugin_);

    host_->env().services().withdraw(itc::CommandGateway::kServiceName);
    auto successor = host_->load(kControl);
    QVERIFY(successor.ok());
    QVERIFY((*successor)->initialise(host_->env(), {}).ok());
    QVERIFY((*successor)->import_state(state).ok());
    QVERIFY((*successor)->start().ok());
    auto* gateway = host_->env().services().find<itc::CommandGateway>();
    CommandResult r = gateway->submit(signed_by(command(2), owner_));  // no re-registration
    QVERIFY2(r.accepted(), r.reason().c_str());
  }

  void badConfigNamesTheField() {
    // As the node's config check sees it: the range the proto declares.
    QTemporaryDir run_dir;
    auto lib = itc::testing::load_plugin_library(kControl, run_dir.path().toStdString());
    auto control = itc::testing::create_plugin(*lib);
    const Status s = itc::testing::check_config_yaml(*lib, *control, "max_age_s: 0");
    QCOMPARE(s.code(), Status::Code::kInvalidArgument);
    QVERIFY2(s.message().find("plugin.yaml:1:12: max_age_s: must be 1..86400, got 0") !=
                 std::string::npos,
             s.message().c_str());
    QVERIFY(itc::testing::check_config_yaml(*lib, *control, "max_age_s: 86400").ok());
  }
};

QTEST_GUILESS_MAIN(ControlTest)
#include "control_test.moc"
