// itc::TypedPlugin (itc/typed_plugin.hpp): the config a plugin sees is parsed and checked
// the same way in validate_config() and initialise(), and its hot-swap state travels in a
// versioned envelope that a successor refuses with Incompatible when type or version
// differ, and with Corruption when the data does not parse. Every plugin in plugins/ is
// built on it, so these are the codes and words every plugin answers with.
#include "itc/typed_plugin.hpp"

#include <QtTest>
#include <stdexcept>

#include "itc/testing/fake_env.hpp"
#include "sample_config.pb.h"

namespace {

using itc::Status;
using itc::test::Profile;
using itc::test::SampleConfig;

class CountingPlugin final : public itc::TypedPlugin<SampleConfig, Profile> {
 public:
  CountingPlugin() : TypedPlugin({"itc.test.Profile", 3}) {}

  Status start() noexcept override { return Status::Ok(); }
  Status drain() noexcept override { return Status::Ok(); }
  void stop() noexcept override {}

  int configured = 0;
  bool throw_in_configure = false;
  std::string model;  // saved as state, restored from state
  int restored = 0;

 private:
  Status check_config(const SampleConfig& c) const override {
    if (c.lamps() > 10) {
      return Status::InvalidArgument("lamps: must be 0..10, got " + std::to_string(c.lamps()));
    }
    return Status::Ok();
  }
  Status configure(itc::HostEnv&, const SampleConfig& c) override {
    if (throw_in_configure) throw std::runtime_error("boom");
    ++configured;
    model = c.site();
    return Status::Ok();
  }
  Status save_state(Profile* out) override {
    out->set_model(model);
    return Status::Ok();
  }
  Status restore_state(Profile in) override {
    model = in.model();
    ++restored;
    return Status::Ok();
  }
};

class StatelessPlugin final : public itc::TypedPlugin<SampleConfig> {
 public:
  Status start() noexcept override { return Status::Ok(); }
  Status drain() noexcept override { return Status::Ok(); }
  void stop() noexcept override {}

 private:
  Status configure(itc::HostEnv&, const SampleConfig&) override { return Status::Ok(); }
};

std::string config_bytes(std::uint32_t lamps, const std::string& site) {
  SampleConfig c;
  c.set_lamps(lamps);
  c.set_site(site);
  return c.SerializeAsString();
}

bool contains(const Status& s, const std::string& text) {
  return s.message().find(text) != std::string::npos;
}

}  // namespace

class TypedPluginTest : public QObject {
  Q_OBJECT

 private slots:
  void bytesThatDoNotParseAreRefusedNamingTheType() {
    CountingPlugin p;
    const std::string junk = "\xff\xff\xff";
    const Status s = p.validate_config(junk);
    QCOMPARE(s.code(), Status::Code::kInvalidArgument);
    QCOMPARE(QString::fromStdString(s.message()),
             QString("config: not a valid itc.test.SampleConfig message"));
    itc::testing::FakeEnv env;
    QCOMPARE(p.initialise(env, junk).code(), Status::Code::kInvalidArgument);
    QCOMPARE(p.configured, 0);
  }

  void checkConfigRunsInValidateAndInitialise() {
    CountingPlugin p;
    itc::testing::FakeEnv env;
    QVERIFY(p.validate_config(config_bytes(3, "a")).ok());
    const Status bad = p.validate_config(config_bytes(11, "a"));
    QCOMPARE(bad.code(), Status::Code::kInvalidArgument);
    QVERIFY2(contains(bad, "lamps: must be 0..10, got 11"), bad.message().c_str());
    QCOMPARE(p.initialise(env, config_bytes(11, "a")).code(), Status::Code::kInvalidArgument);
    QCOMPARE(p.configured, 0);
    QVERIFY(p.initialise(env, config_bytes(2, "hall")).ok());
    QCOMPARE(p.configured, 1);
  }

  void anExceptionBecomesInternal() {
    CountingPlugin p;
    p.throw_in_configure = true;
    itc::testing::FakeEnv env;
    const Status s = p.initialise(env, config_bytes(1, "a"));
    QCOMPARE(s.code(), Status::Code::kInternal);
    QVERIFY2(contains(s, "initialise: boom"), s.message().c_str());
  }

  void stateRoundTripsInItsEnvelope() {
    CountingPlugin old_version;
    old_version.model = "lamp-x";
    itc::v1::PluginState state;
    QVERIFY(old_version.export_state(&state).ok());
    QCOMPARE(QString::fromStdString(state.type()), QString("itc.test.Profile"));
    QCOMPARE(state.version(), 3u);
    CountingPlugin successor;
    QVERIFY(successor.import_state(state).ok());
    QCOMPARE(successor.restored, 1);
    QCOMPARE(QString::fromStdString(successor.model), QString("lamp-x"));
  }

  void anEmptyStateIsNothingToImport() {
    CountingPlugin p;
    QVERIFY(p.import_state(itc::v1::PluginState()).ok());
    QCOMPARE(p.restored, 0);
  }

  void anotherTypeOrVersionIsIncompatible() {
    CountingPlugin p;
    itc::v1::PluginState other;
    other.set_type("itc.other.State");
    other.set_version(3);
    Status s = p.import_state(other);
    QCOMPARE(s.code(), Status::Code::kIncompatible);
    QVERIFY2(contains(s, "imports itc.test.Profile v3, not itc.other.State v3"),
             s.message().c_str());
    other.set_type("itc.test.Profile");
    other.set_version(4);
    s = p.import_state(other);
    QCOMPARE(s.code(), Status::Code::kIncompatible);
    QVERIFY2(contains(s, "not itc.test.Profile v4"), s.message().c_str());
    QCOMPARE(p.restored, 0);
  }

  void dataThatDoesNotParseIsCorruption() {
    CountingPlugin p;
    itc::v1::PluginState bad;
    bad.set_type("itc.test.Profile");
    bad.set_version(3);
    bad.set_data("\x0a\x05\x08");  // a length-delimited field cut short
    const Status s = p.import_state(bad);
    QCOMPARE(s.code(), Status::Code::kCorruption);
    QVERIFY2(contains(s, "itc.test.Profile v3"), s.message().c_str());
    QCOMPARE(p.restored, 0);
  }

  void aPluginWithoutStateExportsNoneAndRefusesSome() {
    StatelessPlugin p;
    itc::v1::PluginState state;
    state.set_type("left.over");
    QVERIFY(p.export_state(&state).ok());
    QVERIFY(state.type().empty());
    QVERIFY(p.import_state(itc::v1::PluginState()).ok());
    itc::v1::PluginState some;
    some.set_type("itc.test.Profile");
    some.set_version(1);
    QCOMPARE(p.import_state(some).code(), Status::Code::kIncompatible);
  }
};

QTEST_GUILESS_MAIN(TypedPluginTest)
#include "typed_plugin_test.moc"
