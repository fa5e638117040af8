// The per-plugin config form without a node: fields read from real compiled descriptors
// (sim_lighting.proto compiled by protoc with its comments; itc.v1.MetricSpec from the
// schemas Studio links, its files given in reverse dependency order), values checked per
// type, and "Apply to YAML" rewriting exactly one plugin's `config:` in a node's YAML.
#include <google/protobuf/descriptor.pb.h>

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QtTest>
#include <set>

#include "config/config_fields.hpp"
#include "config/plugin_config_form.hpp"
#include "config/plugin_section.hpp"
#include "itc/v1/profile.pb.h"

using namespace itc;
using namespace itc::studio;
using Kind = ConfigField::Kind;

namespace {

std::string sim_lighting_descriptor_set() {
  QFile f(SIM_LIGHTING_DESC);
  if (!f.open(QIODevice::ReadOnly)) qFatal("no %s", SIM_LIGHTING_DESC);
  return f.readAll().toStdString();
}

// The files defining itc.v1.MetricSpec, dependents first (the pool must sort them out).
std::string metric_spec_descriptor_set() {
  google::protobuf::FileDescriptorSet set;
  std::set<std::string> seen;
  std::function<void(const google::protobuf::FileDescriptor*)> add =
      [&](const google::protobuf::FileDescriptor* file) {
        if (!seen.insert(file->name()).second) return;
        file->CopyTo(set.add_file());
        for (int i = 0; i < file->dependency_count(); ++i) add(file->dependency(i));
      };
  add(v1::MetricSpec::descriptor()->file());
  return set.SerializeAsString();
}

const ConfigField& field(const std::vector<ConfigField>& fields, const std::string& name) {
  for (const ConfigField& f : fields) {
    if (f.name == name) return f;
  }
  qFatal("no field %s", name.c_str());
}

v1::PluginConfig sim_lighting_config(const std::string& yaml) {
  v1::PluginConfig c;
  c.set_name("sim-lighting");
  c.set_type_name("itc.sim_lighting.Config");
  c.set_descriptor_set(sim_lighting_descriptor_set());
  c.set_yaml(yaml);
  return c;
}

const QString kNodeYaml =
    "node:\n"
    "  name: hall-3   # the building\n"
    "  admin: {listen: 127.0.0.1:8740}\n"
    "plugins:\n"
    "  - name: store-sqlite\n"
    "    package: /opt/itc/store-sqlite.itcpkg\n"
    "  - name: sim-lighting\n"
    "    package: /opt/itc/sim-lighting.itcpkg\n"
    "    config:\n"
    "      lamps: 30          # the test hall\n"
    "      fleet_seed: hall-3\n"
    "      owner_public_key: 0a0b\n"
    "      schedule_note:\n"
    "        - 1\n"
    "        # between the items\n"
    "        - 2\n"
    "\n"
    "    # control follows\n"
    "  - name: control\n"
    "    package: /opt/itc/control.itcpkg\n";

}  // namespace

class StudioConfigFormTest : public QObject {
  Q_OBJECT

 private slots:
  void reads_the_sim_lighting_fields_and_their_comments_from_protoc_output() {
    QString why;
    auto fields = describe_config(sim_lighting_descriptor_set(), "itc.sim_lighting.Config", &why);
    QVERIFY2(fields, qPrintable(why));
    QCOMPARE(fields->size(), 10u);  // with verify, genesis_file, max_header_age_s
    const ConfigField& lamps = field(*fields, "lamps");
    QCOMPARE(lamps.kind, Kind::kUInt32);
    QVERIFY(lamps.has_presence);
    QVERIFY2(lamps.help.startsWith("Number of lamps. Default: 1000."), qPrintable(lamps.help));
    // The range the proto declares ((itc.v1.range)), as the node's config check reads it.
    QVERIFY(lamps.range.has_value());
    QCOMPARE(lamps.range->text(), std::string("1..100000"));
    QCOMPARE(field(*fields, "fleet_seed").kind, Kind::kString);
    QVERIFY(!field(*fields, "fleet_seed").has_presence);
    QCOMPARE(field(*fields, "fault_probability").kind, Kind::kDouble);
    QVERIFY(field(*fields, "fault_probability").has_presence);
  }

  void enum_values_get_the_short_names_the_node_accepts() {
    QCOMPARE(enum_short_name("ModbusFunction", "MODBUS_FUNCTION_HOLDING_REGISTERS"),
             QString("holding_registers"));
    QCOMPARE(enum_short_name("WordOrder", "WORD_ORDER_LOW_FIRST"), QString("low_first"));
    QCOMPARE(enum_short_name("Odd", "NOT_PREFIXED"), QString("not_prefixed"));

    QString why;
    auto fields = describe_config(metric_spec_descriptor_set(), "itc.v1.MetricSpec", &why);
    QVERIFY2(fields, qPrintable(why));
    const ConfigField& type = field(*fields, "type");
    QCOMPARE(type.kind, Kind::kEnum);
    QCOMPARE(type.enum_values, (QStringList{"unspecified", "double", "int", "bool"}));
    QCOMPARE(field(*fields, "sources").kind, Kind::kYamlOnly);
    QCOMPARE(field(*fields, "sources").type_label, QString("map<string, bytes>"));
    QCOMPARE(field(*fields, "is_fault_flag").kind, Kind::kBool);
    QVERIFY(field(*fields, "scale").has_presence);
    QVERIFY(!field(*fields, "offset").has_presence);
    // Without source info the help is empty (the form shows name and type instead).
    QVERIFY(field(*fields, "scale").help.isEmpty());

    // Values as a YAML author may write them, as the form shows them.
    const YAML::Node yaml = YAML::Load("{type: VALUE_TYPE_INT, is_fault_flag: yes, scale: 0.5}");
    QCOMPARE(value_from_yaml(type, yaml).value_or("?"), QString("int"));
    QCOMPARE(value_from_yaml(type, YAML::Load("{type: 3}")).value_or("?"), QString("bool"));
    QCOMPARE(value_from_yaml(field(*fields, "is_fault_flag"), yaml).value_or("?"), QString("true"));
    QVERIFY(!value_from_yaml(field(*fields, "offset"), yaml));
    QVERIFY(!value_from_yaml(field(*fields, "sources"), YAML::Load("{sources: {mqtt: AA}}")));
  }

  void a_bad_descriptor_set_is_named() {
    QString why;
    QVERIFY(!describe_config("", "itc.sim_lighting.Config", &why));
    QVERIFY2(why.contains("embeds no config descriptor"), qPrintable(why));
    QVERIFY(!describe_config("\x0a\x05garbage", "itc.sim_lighting.Config", &why));
    QVERIFY2(why.contains("does not parse"), qPrintable(why));
    QVERIFY(!describe_config(sim_lighting_descriptor_set(), "itc.sim_lighting.Nope", &why));
    QVERIFY2(why.contains("itc.sim_lighting.Nope is not in"), qPrintable(why));
  }

  void values_are_checked_against_their_type() {
    auto fields =
        *describe_config(sim_lighting_descriptor_set(), "itc.sim_lighting.Config", nullptr);
    const ConfigField& lamps = field(fields, "lamps");
    // The declared range, in the node's words; then the type's.
    QString why = check_value(lamps, "0");
    QCOMPARE(why, QString("lamps: must be 1..100000, got 0"));
    QVERIFY(check_value(lamps, "100000").isEmpty());
    QCOMPARE(check_value(lamps, "100001"), QString("lamps: must be 1..100000, got 100001"));
    why = check_value(lamps, "4294967296");
    QVERIFY2(why.startsWith("lamps: expected an integer in 0..4294967295"), qPrintable(why));
    QVERIFY(!check_value(lamps, "-1").isEmpty());
    QVERIFY(!check_value(lamps, "twelve").isEmpty());
    QVERIFY(check_value(lamps, "0x10").isEmpty());
    QCOMPARE(check_value(field(fields, "fault_probability"), "1.5"),
             QString("fault_probability: must be 0..1, got 1.5"));
    QCOMPARE(value_from_yaml(lamps, YAML::Load("{lamps: 0x10}")).value_or("?"), QString("16"));
    why = check_value(field(fields, "fault_probability"), "often");
    QVERIFY2(why.startsWith("fault_probability: expected a number"), qPrintable(why));

    // Bytes as the node takes them: base64 or "hex:...".
    auto status = *describe_config(metric_spec_descriptor_set(), "itc.v1.DeviceStatus", nullptr);
    const ConfigField& key = field(status, "owner_public_key");
    QCOMPARE(key.kind, Kind::kBytes);
    QVERIFY(check_value(key, "hex:0a1B").isEmpty());
    QVERIFY(check_value(key, "AAEC").isEmpty());
    QVERIFY(!check_value(key, "hex:0a1").isEmpty());
    why = check_value(key, "not base64!");
    QVERIFY2(why.startsWith("owner_public_key: expected bytes"), qPrintable(why));
  }

  void the_form_shows_the_sections_values_with_presence() {
    PluginConfigForm form;
    QVERIFY(form.set_config(sim_lighting_config("lamps: 30\nfleet_seed: hall-3\n")));
    auto* lamps = qobject_cast<QLineEdit*>(form.editor("lamps"));
    QVERIFY(lamps);
    QCOMPARE(lamps->text(), QString("30"));
    QVERIFY(form.set_box("lamps")->isChecked());
    QVERIFY(lamps->toolTip().startsWith("Number of lamps."));
    // Not in the section and `optional`: unset, i.e. the plugin's default.
    QVERIFY(!form.set_box("report_interval_ms")->isChecked());
    QVERIFY(!form.editor("report_interval_ms")->isEnabled());
    QVERIFY(!form.set_box("fleet_seed"));  // no presence in proto3 without `optional`
    QCOMPARE(qobject_cast<QLineEdit*>(form.editor("fleet_seed"))->text(), QString("hall-3"));

    lamps->setText("4294967296");
    QString why;
    QVERIFY(!form.values(&why));
    QVERIFY2(why.contains("lamps: expected an integer"), qPrintable(why));

    // Enums as a combo of short names; message fields left to the YAML text, kept as is.
    v1::PluginConfig metric;
    metric.set_name("metric");
    metric.set_type_name("itc.v1.MetricSpec");
    metric.set_descriptor_set(metric_spec_descriptor_set());
    metric.set_yaml("{name: power, type: VALUE_TYPE_INT, mqtt: {topic: plant/t, json_path: w}}");
    QVERIFY(form.set_config(metric, &why));
    auto* type = qobject_cast<QComboBox*>(form.editor("type"));
    QVERIFY(type);
    QCOMPARE(type->currentText(), QString("int"));
    QCOMPARE(type->count(), 4);
    QVERIFY(!form.editor("sources")->isEnabled());
    QVERIFY(qobject_cast<QLabel*>(form.editor("sources"))->text().contains("edit in YAML"));
    QVERIFY(form.editor("scale")->toolTip().contains("scale (double)"));
    type->setCurrentText("bool");
    const QString flow =
        config_flow_mapping(form.fields(), *form.values(&why), YAML::Load(metric.yaml()));
    QCOMPARE(flow, QString("{name: \"power\", type: bool, mqtt: {topic: plant/t, json_path: w}}"));

    // A descriptor the node does not have: no form, and why.
    v1::PluginConfig none;
    none.set_name("solo");
    QVERIFY(!form.set_config(none, &why));
    QVERIFY2(why.contains("no config type"), qPrintable(why));
  }

  void apply_to_yaml_rewrites_only_that_plugins_config() {
    QString why;
    auto section = plugin_section(kNodeYaml, "sim-lighting", &why);
    QVERIFY2(section, qPrintable(why));
    PluginConfigForm form;
    QVERIFY(form.set_config(sim_lighting_config(YAML::Dump(*section))));
    qobject_cast<QLineEdit*>(form.editor("lamps"))->setText("45");
    form.set_box("fault_probability")->setChecked(true);
    qobject_cast<QLineEdit*>(form.editor("fault_probability"))->setText("0.25");
    qobject_cast<QLineEdit*>(form.editor("id_prefix"))->setText("null");
    auto values = form.values(&why);
    QVERIFY2(values, qPrintable(why));

    QString text = kNodeYaml;
    const QString flow = config_flow_mapping(form.fields(), *values, *section);
    QCOMPARE(flow, QString("{lamps: 45, fleet_seed: \"hall-3\", owner_public_key: \"0a0b\", "
                           "schedule_note: [1, 2], fault_probability: 0.25, id_prefix: \"null\"}"));
    QVERIFY2(replace_plugin_config(&text, "sim-lighting", flow, &why), qPrintable(why));
    QStringList expected = kNodeYaml.split('\n');
    expected.erase(expected.begin() + 9, expected.begin() + 16);
    expected[8] = "    config: " + flow;
    QCOMPARE(text.split('\n'), expected);

    // The node reads the same values back.
    const YAML::Node now = *plugin_section(text, "sim-lighting", &why);
    QCOMPARE(now["lamps"].as<int>(), 45);
    QCOMPARE(now["id_prefix"].as<std::string>(), std::string("null"));
    QCOMPARE(now["schedule_note"].size(), 2u);

    // Unsetting an optional field drops it: the plugin's default applies.
    form.set_box("lamps")->setChecked(false);
    values = form.values(&why);
    const QString flow2 = config_flow_mapping(form.fields(), *values, now);
    QVERIFY(!flow2.contains("lamps"));
    QVERIFY2(replace_plugin_config(&text, "sim-lighting", flow2, &why), qPrintable(why));
    QVERIFY(!plugin_section(text, "sim-lighting", &why)->operator[]("lamps").IsDefined());
  }

  void a_plugin_without_config_gets_one_after_its_name() {
    QString text = kNodeYaml;
    QString why;
    QVERIFY2(replace_plugin_config(&text, "store-sqlite", "{path: \"ledger.db\"}", &why),
             qPrintable(why));
    QStringList expected = kNodeYaml.split('\n');
    expected.insert(5, "    config: {path: \"ledger.db\"}");
    QCOMPARE(text.split('\n'), expected);
    QCOMPARE(plugin_names(text), (QStringList{"store-sqlite", "sim-lighting", "control"}));
  }

  void what_cannot_be_written_is_named_and_leaves_the_text_alone() {
    QString why;
    QString text = kNodeYaml;
    QVERIFY(!replace_plugin_config(&text, "modbus", "{}", &why));
    QVERIFY2(why.contains("no plugin named \"modbus\""), qPrintable(why));
    QCOMPARE(text, kNodeYaml);

    QString flow_entry = "plugins:\n  - {name: control, package: /opt/c.itcpkg}\n";
    QVERIFY(!replace_plugin_config(&flow_entry, "control", "{}", &why));
    QVERIFY2(why.contains("flow mapping"), qPrintable(why));

    QString broken = "plugins:\n  - name: control\n    config: {a: [1, 2}\n";
    QVERIFY(!replace_plugin_config(&broken, "control", "{}", &why));
    QVERIFY2(why.contains("does not parse (line 3"), qPrintable(why));
  }
};

QTEST_MAIN(StudioConfigFormTest)
#include "studio_config_form_test.moc"
