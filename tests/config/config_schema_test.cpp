// The YAML -> protobuf mapper: what an operator sees when a plugin's config section is
// right, and the file:line:column:field of every kind of mistake.
#include "host/config_schema.hpp"

#include <QtTest>
#include <fstream>
#include <limits>
#include <sstream>

#include "host/config_file.hpp"
#include "sample_config.pb.h"

using itc::host::ConfigSchema;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

ConfigSchema sample_schema() {
  auto schema = ConfigSchema::create(read_file(ITC_SAMPLE_DESCRIPTOR_SET), "itc.test.SampleConfig");
  if (!schema.ok()) qFatal("%s", schema.status().ToString().c_str());
  return *schema;
}

// Parses `yaml` as a plugin's config section; returns the report.
itc::v1::ConfigReport parse_report(const std::string& yaml) {
  itc::v1::ConfigReport report;
  auto bytes = sample_schema().parse(YAML::Load(yaml), "node.yaml", "plugins[0].config", &report);
  if (bytes.ok() != (report.issues_size() == 0)) qFatal("parse() and report disagree");
  return report;
}

itc::test::SampleConfig parse_ok(const std::string& yaml) {
  itc::v1::ConfigReport report;
  auto bytes = sample_schema().parse(YAML::Load(yaml), "node.yaml", "", &report);
  if (!bytes.ok()) qFatal("unexpected issues:\n%s", bytes.status().message().c_str());
  itc::test::SampleConfig cfg;
  if (!cfg.ParseFromString(*bytes)) qFatal("dynamic bytes do not parse as the lite message");
  return cfg;
}

// The only issue of `report`; fails the test if there is not exactly one.
itc::v1::ConfigIssue only_issue(const itc::v1::ConfigReport& report) {
  if (report.issues_size() != 1) {
    qFatal("expected exactly one issue, got %d:\n%s", report.issues_size(),
           itc::host::format_report(report).c_str());
  }
  return report.issues(0);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

class ConfigSchemaTest : public QObject {
  Q_OBJECT

 private slots:
  void every_field_kind_maps_onto_the_lite_message() {
    const auto cfg = parse_ok(
        "lamps: 1000\n"
        "offset: -12\n"
        "big: -9223372036854775808\n"
        "ubig: 18446744073709551615\n"
        "ratio: 0.25\n"
        "gain: 1e3\n"
        "enabled: yes\n"
        "site: Hall 7\n"
        "seed: hex:00ff10\n"
        "color: COOL\n"
        "profiles:\n"
        "  - model: lx-100\n"
        "    color: 1\n"
        "    metrics:\n"
        "      - {name: lux, min: 0, max: 1200.5}\n"
        "      - {name: watt, max: .inf}\n"
        "channels: [1, 0x10, 0o17, 1_000]\n"
        "labels: {floor: '2', zone: east}\n"
        "url: mqtt://broker\n"
        "defaultProfile: {model: fallback}\n"
        "secrets: [aGVsbG8=, 'hex:']\n");
    QCOMPARE(cfg.lamps(), 1000u);
    QCOMPARE(cfg.offset(), -12);
    QCOMPARE(cfg.big(), std::numeric_limits<std::int64_t>::min());
    QCOMPARE(cfg.ubig(), std::numeric_limits<std::uint64_t>::max());
    QCOMPARE(cfg.ratio(), 0.25f);
    QCOMPARE(cfg.gain(), 1000.0);
    QVERIFY(cfg.enabled());
    QCOMPARE(cfg.site(), std::string("Hall 7"));
    QCOMPARE(cfg.seed(), std::string("\x00\xff\x10", 3));
    QCOMPARE(cfg.color(), itc::test::COOL);
    QCOMPARE(cfg.profiles_size(), 1);
    QCOMPARE(cfg.profiles(0).model(), std::string("lx-100"));
    QCOMPARE(cfg.profiles(0).color(), itc::test::WARM);
    QCOMPARE(cfg.profiles(0).metrics_size(), 2);
    QCOMPARE(cfg.profiles(0).metrics(0).max(), 1200.5);
    QVERIFY(std::isinf(cfg.profiles(0).metrics(1).max()));
    QCOMPARE(cfg.channels_size(), 4);
    QCOMPARE(cfg.channels(1), 16u);
    QCOMPARE(cfg.channels(2), 15u);
    QCOMPARE(cfg.channels(3), 1000u);
    QCOMPARE(cfg.labels().at("floor"), std::string("2"));
    QCOMPARE(cfg.labels().at("zone"), std::string("east"));
    QCOMPARE(cfg.url(), std::string("mqtt://broker"));
    QCOMPARE(cfg.source_case(), itc::test::SampleConfig::kUrl);
    QCOMPARE(cfg.default_profile().model(), std::string("fallback"));
    QCOMPARE(cfg.secrets(0), std::string("hello"));
    QCOMPARE(cfg.secrets(1), std::string());
  }

  void optional_presence_is_kept_even_for_zero() {
    QVERIFY(parse_ok("dim_level: 0\n").has_dim_level());
    QCOMPARE(parse_ok("dim_level: 0\n").dim_level(), 0u);
    QVERIFY(!parse_ok("lamps: 3\n").has_dim_level());
    QVERIFY(!parse_ok("dim_level: ~\n").has_dim_level());
  }

  void null_section_means_all_defaults() {
    itc::v1::ConfigReport report;
    auto bytes = sample_schema().parse(YAML::Node(), "node.yaml", "plugins[0].config", &report);
    QVERIFY(bytes.ok());
    QVERIFY(bytes->empty());
    QVERIFY(report.issues_size() == 0);
    auto cfg = parse_ok("lamps:\n");
    QCOMPARE(cfg.lamps(), 0u);
  }

  void unknown_key_suggests_the_closest_field() {
    const auto issue = only_issue(parse_report("lamps: 5\nlmaps: 6\n"));
    QCOMPARE(issue.file(), std::string("node.yaml"));
    QCOMPARE(issue.line(), 2u);
    QCOMPARE(issue.column(), 1u);
    QCOMPARE(issue.field(), std::string("plugins[0].config.lmaps"));
    QVERIFY2(contains(issue.message(), "did you mean 'lamps'?"), issue.message().c_str());
  }

  void unknown_key_far_from_every_field_lists_them() {
    const auto issue = only_issue(parse_report("profiles:\n  - {zzzzzzzz: 1}\n"));
    QCOMPARE(issue.line(), 2u);
    QCOMPARE(issue.column(), 6u);
    QCOMPARE(issue.field(), std::string("plugins[0].config.profiles[0].zzzzzzzz"));
    QVERIFY2(contains(issue.message(), "known fields: model, metrics, color"),
             issue.message().c_str());
  }

  void wrong_type_names_what_was_expected_and_what_was_given() {
    const auto issue = only_issue(parse_report("site: x\nlamps: abc\n"));
    QCOMPARE(issue.line(), 2u);
    QCOMPARE(issue.column(), 8u);
    QCOMPARE(issue.field(), std::string("plugins[0].config.lamps"));
    QCOMPARE(issue.message(), std::string("expected an integer, got 'abc'"));

    QVERIFY(contains(only_issue(parse_report("lamps: 1.5\n")).message(), "expected an integer"));
    QVERIFY(contains(only_issue(parse_report("enabled: maybe\n")).message(),
                     "expected true or false, got 'maybe'"));
    QVERIFY(contains(only_issue(parse_report("gain: fast\n")).message(),
                     "expected a number, got 'fast'"));
  }

  void integers_are_checked_against_the_field_type_range() {
    auto issue = only_issue(parse_report("offset: 2147483648\n"));
    QCOMPARE(issue.field(), std::string("plugins[0].config.offset"));
    QVERIFY2(contains(issue.message(), "out of range for int32 (-2147483648..2147483647)"),
             issue.message().c_str());
    QVERIFY(parse_report("offset: -2147483648\n").issues_size() == 0);
    QVERIFY(contains(only_issue(parse_report("lamps: 4294967296\n")).message(),
                     "out of range for uint32"));
    QVERIFY(contains(only_issue(parse_report("ubig: 18446744073709551616\n")).message(),
                     "out of range for uint64"));
    QVERIFY(contains(only_issue(parse_report("big: 9223372036854775808\n")).message(),
                     "out of range for int64"));
    QVERIFY(
        contains(only_issue(parse_report("ratio: 1e39\n")).message(), "out of range for float"));
  }

  void negative_value_for_unsigned_is_rejected() {
    const auto issue = only_issue(parse_report("channels: [1, -5]\n"));
    QCOMPARE(issue.line(), 1u);
    QCOMPARE(issue.column(), 15u);
    QCOMPARE(issue.field(), std::string("plugins[0].config.channels[1]"));
    QVERIFY2(contains(issue.message(), "expected a non-negative integer for uint32, got '-5'"),
             issue.message().c_str());
  }

  void enum_values_may_be_written_short_and_in_any_case() {
    QCOMPARE(parse_ok("color: COOL\n").color(), itc::test::COOL);
    QCOMPARE(parse_ok("color: cool\n").color(), itc::test::COOL);
    QCOMPARE(parse_ok("color: Warm\n").color(), itc::test::WARM);
    QCOMPARE(parse_ok("color: unspecified\n").color(), itc::test::COLOR_UNSPECIFIED);
    QCOMPARE(parse_ok("color: color_unspecified\n").color(), itc::test::COLOR_UNSPECIFIED);
  }

  void unknown_enum_value_lists_the_valid_ones() {
    const auto issue = only_issue(parse_report("color: BLUE\n"));
    QCOMPARE(issue.column(), 8u);
    QCOMPARE(issue.field(), std::string("plugins[0].config.color"));
    QVERIFY2(contains(issue.message(),
                      "unknown value 'BLUE' for enum Color; valid values: unspecified, warm, "
                      "cool"),
             issue.message().c_str());
    QVERIFY(contains(only_issue(parse_report("color: 7\n")).message(), "unknown value '7'"));
  }

  void scalar_where_a_mapping_or_list_is_needed() {
    auto issue = only_issue(parse_report("default_profile: 5\n"));
    QCOMPARE(issue.field(), std::string("plugins[0].config.default_profile"));
    QVERIFY2(contains(issue.message(), "expected a mapping of Profile fields, got '5'"),
             issue.message().c_str());
    issue = only_issue(parse_report("channels: 5\n"));
    QVERIFY2(contains(issue.message(), "expected a list"), issue.message().c_str());
    issue = only_issue(parse_report("profiles: [x]\n"));
    QCOMPARE(issue.field(), std::string("plugins[0].config.profiles[0]"));
    issue = only_issue(parse_report("site: [a, b]\n"));
    QVERIFY2(contains(issue.message(), "expected a string, got a list"), issue.message().c_str());
    issue = only_issue(parse_report("labels: [a]\n"));
    QVERIFY2(contains(issue.message(), "expected a mapping"), issue.message().c_str());

    itc::v1::ConfigReport report;
    auto bytes =
        sample_schema().parse(YAML::Load("[1, 2]"), "node.yaml", "plugins[3].config", &report);
    QVERIFY(!bytes.ok());
    QCOMPARE(only_issue(report).field(), std::string("plugins[3].config"));
  }

  void duplicate_keys_point_at_the_second_one() {
    auto issue = only_issue(parse_report("lamps: 1\nsite: a\nlamps: 2\n"));
    QCOMPARE(issue.line(), 3u);
    QCOMPARE(issue.column(), 1u);
    QVERIFY2(contains(issue.message(), "duplicate key 'lamps' (first at line 1)"),
             issue.message().c_str());
    issue = only_issue(parse_report("default_profile: {}\ndefaultProfile: {}\n"));
    QVERIFY2(contains(issue.message(), "given twice"), issue.message().c_str());
    issue = only_issue(parse_report("labels: {a: x, a: y}\n"));
    QCOMPARE(issue.field(), std::string("plugins[0].config.labels[a]"));
  }

  void nested_and_repeated_errors_carry_the_full_path() {
    const auto issue =
        only_issue(parse_report("profiles:\n"
                                "  - model: a\n"
                                "  - model: b\n"
                                "    metrics:\n"
                                "      - name: lux\n"
                                "        max: high\n"));
    QCOMPARE(issue.line(), 6u);
    QCOMPARE(issue.column(), 14u);
    QCOMPARE(issue.field(), std::string("plugins[0].config.profiles[1].metrics[0].max"));
  }

  void bytes_take_base64_or_hex() {
    QCOMPARE(parse_ok("seed: AAEC\n").seed(), std::string("\x00\x01\x02", 3));
    QCOMPARE(parse_ok("seed: hex:DEADbeef\n").seed(), std::string("\xde\xad\xbe\xef"));
    QVERIFY(contains(only_issue(parse_report("seed: hex:abc\n")).message(), "base64 or"));
    QVERIFY(contains(only_issue(parse_report("seed: 'no spaces!'\n")).message(), "base64"));
    QVERIFY(contains(only_issue(parse_report("seed: A\n")).message(), "base64"));
  }

  void two_members_of_one_oneof_are_rejected() {
    const auto issue = only_issue(parse_report("file_path: /x\nurl: mqtt://y\n"));
    QCOMPARE(issue.line(), 2u);
    QVERIFY2(contains(issue.message(), "same oneof 'source'"), issue.message().c_str());
  }

  void every_issue_is_reported_not_only_the_first() {
    const auto report = parse_report("lamps: x\ncolor: RED\noffset: 99999999999\n");
    QCOMPARE(report.issues_size(), 3);
    QVERIFY(!report.ok());
    QCOMPARE(report.issues(0).line(), 1u);
    QCOMPARE(report.issues(1).line(), 2u);
    QCOMPARE(report.issues(2).line(), 3u);
  }

  void format_report_prints_file_line_column_field() {
    const auto report = parse_report("lamps: 5\nlmaps: 6\n");
    QCOMPARE(itc::host::format_report(report),
             std::string("node.yaml:2:1: plugins[0].config.lmaps: unknown field 'lmaps' in "
                         "SampleConfig; did you mean 'lamps'?\n"));
  }

  void a_plugin_section_of_a_node_file_keeps_its_place_in_the_file() {
    const std::string text =
        "node:\n"
        "  name: n1\n"
        "plugins:\n"
        "  - name: a\n"
        "    package: a.itcpkg\n"
        "  - name: b\n"
        "    package: b.itcpkg\n"
        "    config:\n"
        "      lamps: 10\n"
        "      color: PURPLE\n";
    itc::v1::ConfigReport report;
    auto file = itc::host::parse_node_file(text, "site/node.yaml", "/etc/itc", &report);
    QVERIFY2(file.ok(), file.status().message().c_str());
    const auto& entry = file->plugins[1];
    auto bytes = sample_schema().parse(entry.config, file->path,
                                       itc::host::join_field(entry.field_path, "config"), &report);
    QVERIFY(!bytes.ok());
    QCOMPARE(bytes.status().code(), itc::Status::Code::kInvalidArgument);
    const auto issue = only_issue(report);
    QCOMPARE(issue.file(), std::string("site/node.yaml"));
    QCOMPARE(issue.line(), 10u);
    QCOMPARE(issue.column(), 14u);
    QCOMPARE(issue.field(), std::string("plugins[1].config.color"));
    QVERIFY(!report.ok());
    QCOMPARE(bytes.status().message(), itc::host::format_report(report));
  }

  void locate_turns_a_plugin_validation_error_into_a_position() {
    const YAML::Node yaml = YAML::Load(
        "lamps: 0\n"
        "profiles:\n"
        "  - model: a\n"
        "    metrics:\n"
        "      - {name: lux}\n"
        "      - name: watt\n"
        "        max: -1\n");
    auto issue =
        itc::host::locate(yaml, "lamps", "n.yaml", "plugins[0].config", "must be 1..100000");
    QCOMPARE(issue.line(), 1u);
    QCOMPARE(issue.column(), 8u);
    QCOMPARE(issue.field(), std::string("plugins[0].config.lamps"));
    QCOMPARE(issue.message(), std::string("must be 1..100000"));
    issue = itc::host::locate(yaml, "profiles[0].metrics[1].max", "n.yaml", "p", "too low");
    QCOMPARE(issue.line(), 7u);
    QCOMPARE(issue.column(), 14u);
    QCOMPARE(issue.field(), std::string("p.profiles[0].metrics[1].max"));
    // A defaulted field: the deepest written ancestor gives the place.
    issue = itc::host::locate(yaml, "profiles[0].metrics[0].max", "n.yaml", "p", "missing");
    QCOMPARE(issue.line(), 5u);
    issue = itc::host::locate(yaml, "gain", "n.yaml", "p", "missing");
    QCOMPARE(issue.line(), 1u);
    // locate must not alter the document it walks.
    QCOMPARE(yaml["lamps"].as<int>(), 0);
    QCOMPARE(yaml["profiles"][0]["model"].as<std::string>(), std::string("a"));
  }

  void create_rejects_a_broken_descriptor_set_or_an_unknown_type() {
    auto bad = ConfigSchema::create("not a descriptor set \xff\xff", "itc.test.SampleConfig");
    QVERIFY(!bad.ok());
    QCOMPARE(bad.status().code(), itc::Status::Code::kInvalidArgument);
    QVERIFY(!ConfigSchema::create("", "itc.test.SampleConfig").ok());
    auto missing = ConfigSchema::create(read_file(ITC_SAMPLE_DESCRIPTOR_SET), "itc.test.Nope");
    QVERIFY(!missing.ok());
    QVERIFY(contains(missing.status().message(), "'itc.test.Nope'"));
    ConfigSchema empty;
    QVERIFY(!empty.parse(YAML::Node(), "f", "", nullptr).ok());
  }

  void schema_copies_share_state_and_outlive_the_original() {
    ConfigSchema copy;
    {
      ConfigSchema original = sample_schema();
      copy = original;
    }
    QCOMPARE(copy.type_name(), std::string("itc.test.SampleConfig"));
    QVERIFY(copy.parse(YAML::Load("lamps: 2"), "f", "", nullptr).ok());
  }

  void to_json_uses_proto_field_names_and_prints_defaults() {
    auto schema = sample_schema();
    auto bytes = schema.parse(YAML::Load("lamps: 5\ncolor: WARM\n"), "f", "", nullptr);
    QVERIFY(bytes.ok());
    auto json = schema.to_json(*bytes);
    QVERIFY2(json.ok(), json.status().message().c_str());
    QVERIFY2(contains(*json, "\"lamps\":5"), json->c_str());
    QVERIFY2(contains(*json, "\"color\":\"WARM\""), json->c_str());
    QVERIFY2(contains(*json, "\"offset\":0"), json->c_str());
    QVERIFY2(contains(*json, "\"default_profile\"") == false, json->c_str());
    QVERIFY(!schema.to_json("\xff\xff\xff").ok());
  }

  void generated_host_messages_map_too() {
    itc::v1::NodeConfig node;
    itc::v1::ConfigReport report;
    QVERIFY(itc::host::yaml_to_message(
        YAML::Load("name: n\nadmin: {listen: 'off'}\nbus_queue_capacity: 16\n"), &node, "f", "node",
        &report));
    QCOMPARE(node.admin().listen(), std::string("off"));
    QCOMPARE(node.bus_queue_capacity(), 16u);
    QVERIFY(report.ok());
  }

  void closest_match_ignores_case_and_rejects_far_words() {
    QCOMPARE(itc::host::closest_match("Lamps", {"lamps", "site"}), std::string("lamps"));
    QCOMPARE(itc::host::closest_match("data_dri", {"name", "data_dir"}), std::string("data_dir"));
    QCOMPARE(itc::host::closest_match("x", {"y"}), std::string());
    QCOMPARE(itc::host::closest_match("completely", {"lamps"}), std::string());
  }
};

QTEST_GUILESS_MAIN(ConfigSchemaTest)
#include "config_schema_test.moc"
