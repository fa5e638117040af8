// Fuzzing of the node's plain string parsers (they replaced recursive std::regex matches
// that overflowed the stack on long input): the plugin-name grammar, admin.listen and the
// "field: message" split of a plugin's refusal. Random and mutated strings, fixed seeds:
// short ones must give exactly what the old regular expressions gave (they are the
// reference here, where their recursion depth is harmless), long ones must neither crash
// nor echo themselves back in full.
#include <arpa/inet.h>

#include <QtTest>
#include <random>
#include <regex>

#include "host/config_file.hpp"
#include "host/plugin_name.hpp"
#include "host/plugin_source.hpp"

using itc::host::is_plugin_name;

namespace {

constexpr int kCases = 20000;

std::string random_string(std::mt19937_64& rng, std::string_view alphabet, std::size_t max_len) {
  std::uniform_int_distribution<std::size_t> len(0, max_len);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string s(len(rng), ' ');
  for (char& c : s) c = alphabet[pick(rng)];
  return s;
}

// A YAML double-quoted scalar holding `s` (printable ASCII only).
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// The admin server binds an IP address (or localhost), it does not resolve a name.
bool is_ip(std::string host) {
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  unsigned char buf[sizeof(in6_addr)];
  return host == "localhost" || ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool listen_refused(const std::string& listen) {
  itc::v1::ConfigReport report;
  // insecure_plain_http: the parser alone is under test, not the rule that an address off
  // loopback needs TLS (config_file_test has that).
  auto file = itc::host::parse_node_file(
      "node: {admin: {insecure_plain_http: true, listen: " + quoted(listen) + "}}\n", "fuzz.yaml",
      "/srv", &report);
  for (const auto& issue : report.issues()) {
    if (issue.field() != "node.admin.listen") qFatal("unexpected issue %s", issue.field().c_str());
    if (issue.message().size() > 400) qFatal("issue echoes a long value in full");
  }
  return !file.ok();
}

}  // namespace

class ConfigStringsFuzzTest : public QObject {
  Q_OBJECT

 private slots:
  void pluginNameGrammarMatchesTheReferenceAndBoundsLength() {
    std::mt19937_64 rng(20261203);
    const std::regex reference("[a-z0-9][a-z0-9-]*");
    int accepted = 0;
    for (int i = 0; i < kCases; ++i) {
      const std::string s = random_string(rng, "abz09-_A./ \x01\xff", 70);
      const bool expected =
          s.size() <= itc::host::kMaxPluginNameLength && std::regex_match(s, reference);
      QVERIFY2(is_plugin_name(s) == expected, s.c_str());
      accepted += expected ? 1 : 0;
      if (!expected) QVERIFY(itc::host::plugin_name_problem(s).size() < 200);
    }
    QVERIFY(accepted > 100);  // the generator reaches both sides
    for (std::size_t n : {65u, 1000u, 100000u}) {
      QVERIFY(!is_plugin_name(std::string(n, 'a')));
      QVERIFY(itc::host::plugin_name_problem(std::string(n, '/')).size() < 200);
    }
  }

  void listenAddressParserMatchesTheReference() {
    std::mt19937_64 rng(20261204);
    const std::regex reference(R"((\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+):([0-9]{1,5}))");
    int accepted = 0;
    for (int i = 0; i < kCases / 4; ++i) {
      // Anything, near-IPv4 (octets up to 299) or near-IPv6 in brackets.
      std::string s;
      if (const auto kind = rng() % 3; kind == 0) {
        s = random_string(rng, "[]:.0189afAFzZ-", 24);
      } else if (kind == 1) {
        for (int o = 0; o < 4; ++o) s += (o ? "." : "") + std::to_string(rng() % 300);
      } else {
        s = "[" + random_string(rng, "0189afAF:", 14) + "]";
      }
      if (rng() % 2) s += ":" + std::to_string(rng() % 70000);
      if (s.empty()) continue;  // empty means "the default"
      std::smatch m;
      const bool expected = s == "off" || (std::regex_match(s, m, reference) &&
                                           std::stoul(m[2].str()) <= 65535 && is_ip(m[1].str()));
      QVERIFY2(listen_refused(s) == !expected, s.c_str());
      accepted += expected ? 1 : 0;
    }
    QVERIFY(accepted > 50);
    for (std::size_t n : {300u, 30000u}) {
      QVERIFY(listen_refused(std::string(n, 'a') + ":80"));
      QVERIFY(listen_refused("[" + std::string(n, ':') + "]:80"));
    }
  }

  void pluginErrorFieldSplitMatchesTheReference() {
    std::mt19937_64 rng(20261205);
    const std::regex reference(R"(^([A-Za-z_][A-Za-z0-9_\.\[\]]*):\s*(.*)$)");
    itc::host::PluginEntry entry;
    entry.field_path = "plugins[0]";
    entry.line = 3;
    entry.config.reset(YAML::Load("{a: 1}"));
    int located = 0;
    for (int i = 0; i < kCases; ++i) {
      const std::string msg = random_string(rng, "aZ_0.[]: \t-x", 30);
      const auto issue =
          itc::host::locate_plugin_error(entry, "f.yaml", itc::Status::InvalidArgument(msg));
      std::smatch m;
      if (std::regex_match(msg, m, reference)) {
        ++located;
        QCOMPARE(issue.field(), "plugins[0].config." + m[1].str());
        QCOMPARE(issue.message(), m[2].str());
      } else {
        QCOMPARE(issue.field(), std::string("plugins[0]"));
        QCOMPARE(issue.message(), msg);
      }
    }
    QVERIFY(located > 100);
    const auto issue = itc::host::locate_plugin_error(
        entry, "f.yaml", itc::Status::InvalidArgument("a: got '" + std::string(100000, 'f') + "'"));
    QCOMPARE(issue.field(), std::string("plugins[0].config.a"));
  }
};

QTEST_GUILESS_MAIN(ConfigStringsFuzzTest)
#include "config_strings_fuzz_test.moc"
