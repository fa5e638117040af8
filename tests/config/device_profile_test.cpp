// Device profiles as an integrator writes them: the shipped ones load and mean what they
// say; a broken one is refused with file:line:field and the reason, never half-loaded.
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "host/config_file.hpp"
#include "lamp_profile.hpp"
#include "plugin_loader.hpp"

namespace v1 = itc::v1;
using itc::testing::shipped_profile;

namespace {

struct Outcome {
  bool ok = false;
  v1::ConfigReport report;
};

Outcome parse(const std::string& yaml) {
  Outcome out;
  v1::DeviceProfile p;
  out.ok = itc::host::parse_device_profile(yaml, "meter.yaml", &p, &out.report);
  return out;
}

// The one issue of a profile that should fail, as "line:field: message".
std::string only_issue(const std::string& yaml) {
  Outcome o = parse(yaml);
  if (o.ok || o.report.issues_size() != 1) {
    qFatal("expected one issue, got %d:\n%s", o.report.issues_size(),
           itc::host::format_report(o.report).c_str());
  }
  const v1::ConfigIssue& i = o.report.issues(0);
  if (i.file() != "meter.yaml") qFatal("issue names file %s", i.file().c_str());
  return std::to_string(i.line()) + ":" + i.field() + ": " + i.message();
}

const char* kMeterHead =
    "name: test-meter\n"  // 1
    "metrics:\n";         // 2

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

}  // namespace

class DeviceProfileTest : public QObject {
  Q_OBJECT

 private slots:
  void shippedProfilesLoadAndSayWhatTheyMean() {
    const v1::DeviceProfile lamp = shipped_profile("dimmable-lamp");
    QCOMPARE(lamp.metrics_size(), 6);
    QCOMPARE(lamp.stale_after_ms(), 10000u);
    const v1::MetricSpec* power = itc::find_metric(lamp, "power");
    QVERIFY(power != nullptr);
    QCOMPARE(itc::raw_metric_of(*power), std::string("power_mw"));
    QCOMPARE(itc::scaled_value(*power, 9600), 9.6);
    // Without the plugins that read them, a metric's protocol sections are left out.
    QVERIFY(power->sources().empty());
    const v1::ControlSpec* dim = itc::find_control(lamp, v1::ACTION_DIM);
    QVERIFY(dim != nullptr && dim->metric() == "dim" && !dim->has_value());
    const v1::ControlSpec* on = itc::find_control(lamp, v1::ACTION_ON);
    QVERIFY(on != nullptr && on->metric() == "on" && on->value() == 1);
    QVERIFY(itc::find_control(lamp, v1::ACTION_SET_SCHEDULE) == nullptr);

    const v1::DeviceProfile meter = shipped_profile("energy-meter");
    const v1::MetricSpec* energy = itc::find_metric(meter, "energy");
    QVERIFY(energy != nullptr);
    QCOMPARE(itc::raw_value_for(*itc::find_metric(meter, "power"), 2.5), 2500.0);

    const v1::DeviceProfile sensor = shipped_profile("occupancy-sensor");
    QCOMPARE(sensor.stale_after_ms(), 60000u);
    QCOMPARE(itc::find_metric(sensor, "motion")->type(), v1::VALUE_TYPE_BOOL);
  }

  void aProfileWithoutStaleAfterGetsTheDefault() {
    v1::DeviceProfile p;
    v1::ConfigReport report;
    QVERIFY(itc::host::parse_device_profile(std::string(kMeterHead) + "  - {name: v}\n", "m.yaml",
                                            &p, &report));
    QCOMPARE(p.stale_after_ms(), 60000u);
  }

  void brokenProfilesAreRefusedWithLineAndField() {
    const std::string head = kMeterHead;
    // Line numbers below count from 1 at kMeterHead's first line.
    QVERIFY2(starts_with(only_issue(head + "  - name: v\n    scale: 0\n"),
                         "4:metrics[0].scale: must be a finite, non-zero number"),
             only_issue(head + "  - name: v\n    scale: 0\n").c_str());
    QVERIFY(starts_with(only_issue(head + "  - name: v\n    scael: 2\n"), "4:metrics[0].scael"));
    QVERIFY(starts_with(only_issue(head + "  - {name: v, min: 5, max: 1}\n"),
                        "3:metrics[0].min: min (5"));
    const std::string sources = only_issue(head + "  - {name: v, sources: {modbus: AAEC}}\n");
    QVERIFY2(starts_with(sources, "3:metrics[0].sources: is not written in a profile"),
             sources.c_str());
    const std::string control =
        only_issue(head + "  - {name: v}\ncontrols:\n  - {action: dim, metric: level}\n");
    QVERIFY2(starts_with(control, "5:controls[0].metric: \"level\" is not a metric"),
             control.c_str());
    QVERIFY(starts_with(only_issue(head + "  - {name: v}\n  - {name: v}\n"),
                        "4:metrics[1].name: metric \"v\" is defined twice"));
    QVERIFY(starts_with(only_issue("metrics: [{name: v}]\n"), "1:name: required"));
    QVERIFY(only_issue("name: x\nmetrics: [{name: v}\n").find("YAML syntax error") !=
            std::string::npos);
  }

  void protocolSectionsAreCheckedByThePluginsThatReadThem() {
    // The sections belong to the connection plugins (their config protos declare them with
    // (itc.v1.profile_section)); the host maps each with the plugin's own schema.
    QTemporaryDir run;
    auto modbus = itc::testing::load_plugin_library("libitc-modbus.so", run.path().toStdString());
    auto mqtt = itc::testing::load_plugin_library("libitc-mqtt.so", run.path().toStdString());
    const std::vector<const itc::host::PluginLibrary*> both = {modbus.get(), mqtt.get()};

    const v1::DeviceProfile lamp = shipped_profile("dimmable-lamp", both);
    const v1::MetricSpec& power = *itc::find_metric(lamp, "power");
    QCOMPARE(power.sources().size(), std::size_t{3});
    // The bytes are the plugins' own messages; decoded here through their schemas.
    auto decoded = [&](const itc::host::PluginLibrary& lib, const std::string& type,
                       const std::string& key) {
      auto schema = itc::host::ConfigSchema::create(lib.info().config_descriptor, type);
      if (!schema.ok()) return std::string("?");
      auto json = schema->to_json(power.sources().at(key));
      return json.ok() ? *json : std::string("?");
    };
    QVERIFY2(decoded(*modbus, "itc.modbus.ModbusSource", "modbus")
                     .find("\"function\":\"MODBUS_FUNCTION_INPUT_REGISTERS\"") != std::string::npos,
             decoded(*modbus, "itc.modbus.ModbusSource", "modbus").c_str());
    QVERIFY(decoded(*mqtt, "itc.mqtt.SparkplugSource", "sparkplug").find("Light/Power") !=
            std::string::npos);
    QVERIFY(decoded(*mqtt, "itc.mqtt.MqttJsonSource", "mqtt").find("lights/{device}/state") !=
            std::string::npos);
    // Only what the node's plugins read is kept.
    QCOMPARE(itc::find_metric(shipped_profile("dimmable-lamp", {modbus.get()}), "power")
                 ->sources()
                 .size(),
             std::size_t{1});

    // Broken sections: the plugin's schema names file, line and field.
    auto issue = [&](const std::string& yaml) {
      v1::DeviceProfile p;
      v1::ConfigReport report;
      const bool ok = itc::testing::parse_profile_for(std::string(kMeterHead) + yaml, "meter.yaml",
                                                      both, &p, &report);
      return ok ? std::string("accepted") : itc::host::format_report(report);
    };
    std::string why = issue("  - name: e\n    modbus: {function: holding_register}\n");
    QVERIFY2(why.find("meter.yaml:4:") == 0 &&
                 why.find("metrics[0].modbus.function") != std::string::npos &&
                 why.find("valid values: unspecified, coils, discrete_inputs, holding_registers, "
                          "input_registers") != std::string::npos,
             why.c_str());
    why = issue("  - name: e\n    modbus: {function: coils, address: 70000}\n");
    QVERIFY2(
        why.find("metrics[0].modbus.address: must be 0..65535, got 70000") != std::string::npos,
        why.c_str());
    why = issue("  - name: e\n    mqtt: {topik: a/b, json_path: x}\n");
    QVERIFY2(why.find("metrics[0].mqtt.topik: unknown field 'topik' in MqttJsonSource; did you "
                      "mean 'topic'?") != std::string::npos,
             why.c_str());
    // A key close to a MetricSpec field is a typo of it, not a section.
    why = issue("  - name: e\n    unti: W\n");
    QVERIFY2(why.find("did you mean 'unit'?") != std::string::npos, why.c_str());
    // A section no plugin of this node reads is left out, not refused: a profile directory
    // is shared by nodes with different plugins.
    QCOMPARE(issue("  - name: e\n    bacnet: {object: 3}\n"), std::string("accepted"));
  }

  void theNodeConfigNamesAMissingProfileFileAndDuplicateModels() {
    QTemporaryDir dir;
    std::ofstream(dir.filePath("a.yaml").toStdString()) << "name: twin\nmetrics: [{name: v}]\n";
    std::ofstream(dir.filePath("b.yaml").toStdString()) << "name: twin\nmetrics: [{name: w}]\n";
    const std::string node =
        "node: {name: n}\n"
        "device_profiles:\n"
        "  - a.yaml\n"
        "  - nowhere.yaml\n"
        "  - b.yaml\n";
    v1::ConfigReport report;
    auto file = itc::host::parse_node_file(node, "node.yaml", dir.path().toStdString(), &report);
    QVERIFY(!file.ok());
    QCOMPARE(report.issues_size(), 2);
    QCOMPARE(report.issues(0).file(), std::string("node.yaml"));
    QCOMPARE(report.issues(0).line(), 4u);
    QCOMPARE(report.issues(0).field(), std::string("device_profiles[1]"));
    QVERIFY(report.issues(0).message().find("no such file") != std::string::npos);
    // The second model of the same name: at the entry that brought it in.
    QCOMPARE(report.issues(1).file(), std::string("node.yaml"));
    QCOMPARE(report.issues(1).line(), 5u);
    QCOMPARE(report.issues(1).field(), std::string("device_profiles[2]"));
    QVERIFY(report.issues(1).message().find("b.yaml") != std::string::npos);
    QVERIFY(report.issues(1).message().find("already defined in") != std::string::npos);
  }

  void aDirectoryLoadsEveryProfileInIt() {
    v1::ConfigReport report;
    auto file = itc::host::parse_node_file(
        "node: {name: n}\n" + itc::testing::device_profiles_yaml(), "node.yaml", "/", &report);
    QVERIFY2(file.ok(), file.status().message().c_str());
    QCOMPARE(file->profiles.size(), std::size_t{3});
    QCOMPARE(file->profiles[1].profile->name(), std::string("energy-meter"));
  }
};

QTEST_GUILESS_MAIN(DeviceProfileTest)
#include "device_profile_test.moc"
