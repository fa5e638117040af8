// The node file: defaults, path resolution, and a file:line:field for each structural
// mistake an operator can make in it.
#include "host/config_file.hpp"

#include <sys/stat.h>

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "host/plugin_source.hpp"

namespace fs = std::filesystem;
using itc::host::NodeFile;
using itc::host::parse_node_file;

namespace {

const std::string kKeyHex = "8f3a1c0e5b7d9f2a4c6e8b0d1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a";

itc::v1::ConfigReport report_of(const std::string& text) {
  itc::v1::ConfigReport report;
  auto file = parse_node_file(text, "node.yaml", "/srv/itc", &report);
  if (file.ok() != (report.issues_size() == 0)) qFatal("result and report disagree");
  if (!file.ok() && file.status().message() != itc::host::format_report(report)) {
    qFatal("status message is not format_report(report)");
  }
  return report;
}

itc::v1::ConfigIssue only_issue(const std::string& text) {
  const auto report = report_of(text);
  if (report.issues_size() != 1) {
    qFatal("expected exactly one issue, got %d:\n%s", report.issues_size(),
           itc::host::format_report(report).c_str());
  }
  return report.issues(0);
}

NodeFile parse_ok(const std::string& text, const std::string& base = "/srv/itc") {
  itc::v1::ConfigReport report;
  auto file = parse_node_file(text, "node.yaml", base, &report);
  if (!file.ok()) qFatal("unexpected issues:\n%s", file.status().message().c_str());
  return *file;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

class ConfigFileTest : public QObject {
  Q_OBJECT

 private slots:
  void defaults_fill_an_almost_empty_file() {
    const NodeFile file = parse_ok("plugins: []\n");
    QCOMPARE(file.node.name(), std::string("itc-node"));
    QCOMPARE(file.node.data_dir(), std::string("/srv/itc/data"));
    QCOMPARE(file.node.admin().listen(), std::string("127.0.0.1:8740"));
    QCOMPARE(file.node.bus_queue_capacity(), 8192u);
    QVERIFY(!file.node.developer_mode());
    QVERIFY(file.plugins.empty());
    QCOMPARE(file.dir, std::string("/srv/itc"));
    QCOMPARE(parse_ok("node: {name: a}\n").node.name(), std::string("a"));
  }

  void paths_resolve_against_the_file_directory() {
    const NodeFile file = parse_ok(
        "node:\n"
        "  data_dir: ./data/node-1\n"
        "plugins:\n"
        "  - name: sim-lighting\n"
        "    package: ../build/packages/sim-lighting.itcpkg\n"
        "  - name: dev\n"
        "    library: /opt/x/libdev.so\n");
    QCOMPARE(file.node.data_dir(), std::string("/srv/itc/data/node-1"));
    QCOMPARE(file.plugins[0].package, std::string("/srv/build/packages/sim-lighting.itcpkg"));
    QVERIFY(file.plugins[0].library.empty());
    QCOMPARE(file.plugins[1].library, std::string("/opt/x/libdev.so"));
    QVERIFY(file.plugins[1].package.empty());
  }

  void plugin_entries_keep_name_place_and_config_section() {
    const NodeFile file = parse_ok(
        "plugins:\n"
        "  - name: a\n"
        "    package: a.itcpkg\n"
        "  - name: b\n"
        "    package: b.itcpkg\n"
        "    config:\n"
        "      lamps: 1000\n");
    QCOMPARE(file.plugins.size(), std::size_t(2));
    QCOMPARE(file.plugins[1].name, std::string("b"));
    QCOMPARE(file.plugins[1].field_path, std::string("plugins[1]"));
    QCOMPARE(file.plugins[1].line, 4);
    QVERIFY(file.plugins[0].config.IsNull());
    QVERIFY(file.plugins[1].config.IsMap());
    QCOMPARE(file.plugins[1].config["lamps"].as<int>(), 1000);
    QCOMPARE(file.plugins[1].config["lamps"].Mark().line + 1, 7);
  }

  void trusted_keys_are_hex_or_existing_key_files() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string base = dir.path().toStdString();
    fs::create_directories(base + "/keys");
    std::ofstream(base + "/keys/vendor.pub.pem") << "-----BEGIN PUBLIC KEY-----\n";
    std::string upper = kKeyHex;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const NodeFile file = parse_ok(
        "node:\n"
        "  trusted_vendor_keys: [" +
            upper + ", keys/vendor.pub.pem]\n",
        base);
    QCOMPARE(file.node.trusted_vendor_keys(0), kKeyHex);
    QCOMPARE(file.node.trusted_vendor_keys(1), base + "/keys/vendor.pub.pem");

    itc::v1::ConfigReport report;
    auto bad = parse_node_file(
        "node:\n"
        "  trusted_vendor_keys:\n"
        "    - " +
            kKeyHex +
            "\n"
            "    - keys/missing.pem\n",
        "node.yaml", base, &report);
    QVERIFY(!bad.ok());
    QCOMPARE(report.issues_size(), 1);
    QCOMPARE(report.issues(0).line(), 4u);
    QCOMPARE(report.issues(0).column(), 7u);
    QCOMPARE(report.issues(0).field(), std::string("node.trusted_vendor_keys[1]"));
    QVERIFY(contains(report.issues(0).message(), base + "/keys/missing.pem"));
  }

  void yaml_syntax_error_names_its_line() {
    const auto issue = only_issue("node:\n  name: a\n  admin: {listen: x\nplugins: []\n");
    QCOMPARE(issue.file(), std::string("node.yaml"));
    QVERIFY(issue.line() >= 3);
    QVERIFY2(contains(issue.message(), "YAML syntax error"), issue.message().c_str());
  }

  void root_must_be_a_mapping() {
    QVERIFY(contains(only_issue("- a\n- b\n").message(), "expected a mapping"));
    QVERIFY(contains(only_issue("").message(), "empty"));
  }

  void unknown_top_level_key_suggests_a_fix() {
    const auto issue = only_issue("node: {}\nplugin: []\n");
    QCOMPARE(issue.line(), 2u);
    QCOMPARE(issue.column(), 1u);
    QCOMPARE(issue.field(), std::string("plugin"));
    QVERIFY2(contains(issue.message(), "did you mean 'plugins'?"), issue.message().c_str());
    QVERIFY(contains(only_issue("node: {}\nnode: {}\n").message(), "duplicate key 'node'"));
  }

  void node_section_errors_come_from_the_schema_mapper() {
    auto issue = only_issue("node:\n  nmae: x\n");
    QCOMPARE(issue.line(), 2u);
    QCOMPARE(issue.field(), std::string("node.nmae"));
    QVERIFY2(contains(issue.message(), "did you mean 'name'?"), issue.message().c_str());
    issue = only_issue("node:\n  bus_queue_capacity: -1\n");
    QCOMPARE(issue.line(), 2u);
    QCOMPARE(issue.column(), 23u);
    QCOMPARE(issue.field(), std::string("node.bus_queue_capacity"));
    QVERIFY(contains(issue.message(), "non-negative"));
    issue = only_issue("node:\n  developer_mode: sometimes\n");
    QCOMPARE(issue.field(), std::string("node.developer_mode"));
  }

  void admin_listen_must_be_host_port_or_off() {
    const auto issue = only_issue("node:\n  admin:\n    listen: localhost\n");
    QCOMPARE(issue.line(), 3u);
    QCOMPARE(issue.column(), 13u);
    QCOMPARE(issue.field(), std::string("node.admin.listen"));
    QVERIFY(contains(only_issue("node: {admin: {listen: 'a:70000'}}\n").message(), "port"));
    QCOMPARE(parse_ok("node: {admin: {listen: 'off'}}\n").node.admin().listen(),
             std::string("off"));
    QCOMPARE(parse_ok("node: {admin: {listen: '[::1]:0'}}\n").node.admin().listen(),
             std::string("[::1]:0"));
  }

  void admin_listen_must_be_an_address_the_server_can_bind() {
    // What the admin server refuses at start is refused here, with its line.
    const auto issue = only_issue("node:\n  admin: {listen: node.example:30744}\n");
    QCOMPARE(issue.line(), 2u);
    QCOMPARE(issue.field(), std::string("node.admin.listen"));
    QVERIFY2(contains(issue.message(), "'node.example' is not an IP address"),
             issue.message().c_str());
    for (const char* ok : {"localhost:0", "127.0.0.1:65535", "[::1]:8740"}) {
      parse_ok(std::string("node: {admin: {listen: '") + ok + "'}}\n");
    }
    // Off loopback, plain HTTP only when asked for by name (tests/admin/admin_tls_test
    // checks HTTPS configs).
    for (const char* ok : {"0.0.0.0:8740", "[::]:8740"}) {
      const auto plain = only_issue(std::string("node: {admin: {listen: '") + ok + "'}}\n");
      QCOMPARE(plain.field(), std::string("node.admin.listen"));
      QVERIFY2(contains(plain.message(), "admin.insecure_plain_http: true"),
               plain.message().c_str());
      parse_ok(std::string("node: {admin: {listen: '") + ok + "', insecure_plain_http: true}}\n");
    }
  }

  void cr_only_and_crlf_line_breaks_keep_their_lines() {
    for (const char* eol : {"\r", "\r\n"}) {
      const std::string e(eol);
      const NodeFile file = parse_ok("node:" + e + "  name: cr-node" + e + "plugins: []" + e);
      QCOMPARE(file.node.name(), std::string("cr-node"));
      const auto issue = only_issue("node:" + e + "  name: n" + e + "  nmae: x" + e);
      QCOMPARE(issue.line(), 3u);
      QCOMPARE(issue.field(), std::string("node.nmae"));
    }
  }

  void files_named_in_the_config_are_read_bounded_and_never_quoted() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    // A secret that is not a profile: refused by what it is, its content never shown.
    std::ofstream(d + "/shadow") << "root:$y$j9T$SECRETSALT$hash:19000:0:99999:7:::\n"
                                    "daemon:*:19000:0:99999:7:::\n";
    ::mkfifo((d + "/fifo").c_str(), 0600);
    std::ofstream(d + "/huge.yaml") << std::string(5 << 20, '#');
    struct Case {
      std::string entry, why;
    };
    for (const Case& c :
         {Case{"/dev/zero", "a character device"}, Case{d + "/fifo", "a FIFO"},
          Case{d + "/huge.yaml", "larger than"}, Case{d + "/shadow", "not a name"}}) {
      itc::v1::ConfigReport report;
      std::ofstream(d + "/node.yaml") << "plugins: []\ndevice_profiles: [" << c.entry << "]\n";
      auto file = itc::host::load_node_file(d + "/node.yaml", &report);
      QVERIFY(!file.ok());
      const std::string text = itc::host::format_report(report);
      QVERIFY2(contains(text, c.why), text.c_str());
      QVERIFY2(
          !contains(text, "SECRETSALT") && !contains(text, "root:") && !contains(text, "daemon"),
          text.c_str());
      for (const auto& issue : report.issues()) QVERIFY2(issue.line() > 0, text.c_str());
    }
  }

  void plugin_without_a_name() {
    const auto issue = only_issue("plugins:\n  - package: x.itcpkg\n");
    QCOMPARE(issue.line(), 2u);
    QCOMPARE(issue.column(), 5u);
    QCOMPARE(issue.field(), std::string("plugins[0].name"));
    QVERIFY(contains(only_issue("plugins:\n  - {name: Bad_Name, package: x}\n").message(),
                     "lowercase"));
  }

  void over_long_values_are_named_not_echoed_and_nothing_crashes() {
    // 30,000+ characters once overflowed the stack in a recursive regex match.
    const std::string huge(40000, 'a');
    struct Case {
      std::string yaml;
      std::string field;
      std::string limit;
    };
    const Case cases[] = {
        {"plugins:\n  - {name: " + huge + ", package: x.itcpkg}\n", "plugins[0].name",
         "at most 64 characters, got 40000"},
        {"node: {name: " + huge + "}\n", "node.name", "at most 64 are allowed"},
        {"node: {admin: {listen: '" + huge + ":80'}}\n", "node.admin.listen",
         "at most 262 are allowed"},
        {"node: {admin: {listen: '[" + std::string(40000, ':') + "]:80'}}\n", "node.admin.listen",
         "at most 262 are allowed"},
        {"node: {data_dir: " + huge + "}\n", "node.data_dir", "at most 4096 are allowed"},
        {"node: {trusted_vendor_keys: [" + huge + "]}\n", "node.trusted_vendor_keys[0]",
         "at most 4096 are allowed"},
        {"plugins:\n  - {name: a, package: " + huge + "}\n", "plugins[0].package",
         "at most 4096 are allowed"},
    };
    for (const Case& c : cases) {
      const auto issue = only_issue(c.yaml);
      QCOMPARE(issue.field(), c.field);
      QVERIFY2(contains(issue.message(), c.limit), issue.message().c_str());
      QVERIFY2(issue.message().size() < 200, issue.message().c_str());
    }
    // A listen address at its length limit is refused for not being an IP address (the
    // admin server binds, it does not resolve), not for its length.
    const auto at_limit =
        only_issue("node: {admin: {listen: '" + std::string(256, 'h') + ":8740'}}\n");
    QVERIFY2(contains(at_limit.message(), "is not an IP address"), at_limit.message().c_str());
    QVERIFY2(!contains(at_limit.message(), "at most"), at_limit.message().c_str());
    // At the limits exactly, everything else is accepted.
    const NodeFile file = parse_ok("node: {name: " + std::string(64, 'n') +
                                   ", admin: {listen: '127.0.0.1:8740'}}\n"
                                   "plugins:\n  - {name: " +
                                   std::string(64, 'p') + ", package: x.itcpkg}\n");
    QCOMPARE(file.plugins[0].name.size(), std::size_t(64));
  }

  void plugin_error_with_an_over_long_value_is_located() {
    // A plugin's refusal echoing a 30,000-character owner_public_key.
    const NodeFile file = parse_ok(
        "plugins:\n  - name: a\n    package: a.itcpkg\n    config:\n"
        "      owner_public_key: x\n");
    const auto issue = itc::host::locate_plugin_error(
        file.plugins[0], "node.yaml",
        itc::Status::InvalidArgument("owner_public_key: expected 64 hex digits, got '" +
                                     std::string(30000, 'f') + "'"));
    QCOMPARE(issue.field(), std::string("plugins[0].config.owner_public_key"));
    QCOMPARE(issue.line(), 5u);
    QVERIFY(contains(issue.message(), "expected 64 hex digits"));
  }

  void duplicate_plugin_name_points_at_both() {
    const auto issue = only_issue(
        "plugins:\n"
        "  - name: solo\n"
        "    package: a.itcpkg\n"
        "  - name: solo\n"
        "    package: b.itcpkg\n");
    QCOMPARE(issue.line(), 4u);
    QCOMPARE(issue.column(), 11u);
    QCOMPARE(issue.field(), std::string("plugins[1].name"));
    QVERIFY2(contains(issue.message(), "duplicate plugin name 'solo' (first at line 2)"),
             issue.message().c_str());
  }

  void exactly_one_of_package_and_library() {
    auto issue = only_issue("plugins:\n  - name: a\n    package: a.itcpkg\n    library: a.so\n");
    QCOMPARE(issue.field(), std::string("plugins[0]"));
    QCOMPARE(issue.line(), 2u);
    QVERIFY(contains(issue.message(), "not both"));
    issue = only_issue("plugins:\n  - name: a\n");
    QVERIFY(contains(issue.message(), "missing 'package'"));
  }

  void unknown_key_in_a_plugin_entry() {
    const auto issue = only_issue("plugins:\n  - name: a\n    package: a.itcpkg\n    confg: {}\n");
    QCOMPARE(issue.line(), 4u);
    QCOMPARE(issue.field(), std::string("plugins[0].confg"));
    QVERIFY(contains(issue.message(), "did you mean 'config'?"));
  }

  void plugins_must_be_a_list_of_mappings() {
    QVERIFY(contains(only_issue("plugins: {a: 1}\n").message(), "expected a list"));
    const auto issue = only_issue("plugins:\n  - just-a-name\n");
    QCOMPARE(issue.field(), std::string("plugins[0]"));
    QCOMPARE(issue.line(), 2u);
  }

  void issues_accumulate_in_a_shared_report() {
    itc::v1::ConfigReport report;
    auto file = parse_node_file("node: {nme: x}\nplugins:\n  - name: a\n", "n.yaml", "/", &report);
    QVERIFY(!file.ok());
    QCOMPARE(report.issues_size(), 2);
    QVERIFY(!report.ok());
    QCOMPARE(file.status().code(), itc::Status::Code::kInvalidArgument);
    QCOMPARE(file.status().message(),
             std::string("n.yaml:1:8: node.nme: unknown field 'nme' in NodeConfig; did you mean "
                         "'name'?\n"
                         "n.yaml:3:5: plugins[0]: missing 'package' (a signed .itcpkg) or "
                         "'library' (a .so, developer mode only)\n"));
  }

  void load_node_file_reads_and_resolves_against_its_directory() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.path().toStdString() + "/site/node.yaml";
    fs::create_directories(dir.path().toStdString() + "/site");
    std::ofstream(path) << "node: {data_dir: state}\nplugins:\n  - {name: a, package: a.itcpkg}\n";
    itc::v1::ConfigReport report;
    auto file = itc::host::load_node_file(path, &report);
    QVERIFY2(file.ok(), file.status().message().c_str());
    QCOMPARE(file->path, path);
    QCOMPARE(file->node.data_dir(), dir.path().toStdString() + "/site/state");
    QCOMPARE(file->plugins[0].package, dir.path().toStdString() + "/site/a.itcpkg");

    auto missing = itc::host::load_node_file(dir.path().toStdString() + "/nope.yaml", &report);
    QVERIFY(!missing.ok());
    QCOMPARE(missing.status().code(), itc::Status::Code::kNotFound);
    QCOMPARE(report.issues_size(), 1);
    QVERIFY(contains(report.issues(0).message(), "cannot read"));
  }

  void shipped_example_config_is_valid() {
    const char* source = std::getenv("ITC_SOURCE_DIR");
    QVERIFY(source != nullptr);
    const std::string path = std::string(source) + "/deploy/examples/single-node.yaml";
    itc::v1::ConfigReport report;
    auto file = itc::host::load_node_file(path, &report);
    QVERIFY2(file.ok(), file.status().message().c_str());
    QCOMPARE(file->plugins.size(), std::size_t(5));
    QStringList names;
    for (const auto& p : file->plugins) names << QString::fromStdString(p.name);
    QCOMPARE(names, QStringList({"sim-lighting", "normalize", "store-sqlite", "solo", "control"}));
    QCOMPARE(file->profiles.size(), std::size_t(3));  // device_profiles: [../profiles]
  }

  void shipped_example_plugin_sections_match_the_plugins_config_messages() {
    const char* source = std::getenv("ITC_SOURCE_DIR");
    QVERIFY(source != nullptr);
    // "plugin|type|descriptor set," per plugin whose proto is in the tree.
    const QStringList specs = QString(ITC_EXAMPLE_SCHEMAS).split(',', Qt::SkipEmptyParts);
    QVERIFY(!specs.isEmpty());
    std::set<std::string> checked;
    for (const char* example : {"single-node.yaml", "factory-site.yaml"}) {
      auto file =
          itc::host::load_node_file(std::string(source) + "/deploy/examples/" + example, nullptr);
      QVERIFY2(file.ok(), file.status().message().c_str());
      QCOMPARE(file->profiles.size(), std::size_t(3));
      for (const QString& spec : specs) {
        const QStringList parts = spec.split('|');
        QCOMPARE(parts.size(), 3);
        std::ifstream in(parts[2].toStdString(), std::ios::binary);
        const std::string desc((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        auto schema = itc::host::ConfigSchema::create(desc, parts[1].toStdString());
        QVERIFY2(schema.ok(), schema.status().message().c_str());
        for (const auto& entry : file->plugins) {
          if (entry.name != parts[0].toStdString()) continue;
          itc::v1::ConfigReport report;
          auto bytes =
              schema->parse(entry.config, file->path, entry.field_path + ".config", &report);
          QVERIFY2(bytes.ok(), bytes.status().message().c_str());
          checked.insert(entry.name);
          if (entry.name == "sim-lighting") {
            auto json = schema->to_json(*bytes);
            QVERIFY(json.ok());
            QVERIFY2(contains(*json, "\"lamps\":1000"), json->c_str());
          }
        }
      }
    }
    QCOMPARE(checked.size(), static_cast<std::size_t>(specs.size()));
  }
};

QTEST_GUILESS_MAIN(ConfigFileTest)
#include "config_file_test.moc"
