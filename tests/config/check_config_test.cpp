// itc-node --check-config: the shipped example configs, made runnable here (this build's
// packages and vendor key), are mutated many ways — lines deleted, duplicated and
// re-indented, values replaced by wrong types, multi-line and empty values — and checked
// as --check-config checks them (host::check_config_file, with the plugins' real
// libraries); every refused mutant must print one "file:line:column: " line per issue. The real
// binary: CR-only and CRLF files check clean, an admin address start would refuse is refused, and
// nothing says the node "stopped".
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "host/config_check.hpp"
#include "host/config_schema.hpp"
#include "lamp_profile.hpp"

namespace {

std::string env_or(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// deploy/examples/<name>, pointing at this build's packages, key, profiles and a local
// data dir, with the admin API on a free port.
std::string runnable_example(const std::string& name) {
  std::ifstream in(itc::testing::source_dir() + "/deploy/examples/" + name);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  s = replace_all(s, "../../build/packages", env_or("ITC_PACKAGE_DIR"));
  s = replace_all(s, "82af8ada0977037b33fed1d16b9526d4b0f0b3f5d55abe84fe9f3cb6b8654f0a",
                  env_or("ITC_VENDOR_KEY"));
  s = replace_all(s, "[../profiles]", "[\"" + itc::testing::shipped_profiles_dir() + "\"]");
  std::vector<std::string> lines = lines_of(s);
  for (std::string& l : lines) {
    if (l.rfind("  data_dir:", 0) == 0) l = "  data_dir: data";
    if (l.rfind("    listen: 127.0.0.1:87", 0) == 0) {
      l = "    listen: 127.0.0.1:0";
    } else if (l.rfind("  admin: {listen: 127.0.0.1:87", 0) == 0) {
      l = "  admin: {listen: 127.0.0.1:0}";
    }
  }
  return join(lines);
}

struct Mutant {
  std::string what;
  std::string text;
};

// The value part of "key: value" (after the first ": "), if the line has one.
std::size_t value_at(const std::string& line) {
  const std::size_t hash = line.find(" #");
  const std::size_t colon = line.find(": ");
  if (colon == std::string::npos || (hash != std::string::npos && hash < colon)) {
    return std::string::npos;
  }
  return colon + 2;
}

std::vector<Mutant> mutants_of(const std::string& base) {
  const std::vector<std::string> lines = lines_of(base);
  const std::vector<std::string> bad_values = {"",
                                               "-1",
                                               "x",
                                               "[1, 2]",
                                               "{a: 1}",
                                               "99999999999999999999",
                                               "1.5",
                                               "null",
                                               "required",
                                               "'two\n  lines'",
                                               "true",
                                               "host.example:30744",
                                               "\"\"",
                                               "-0x10",
                                               ".nan",
                                               "[]",
                                               "{}",
                                               "0",
                                               "|\n      multi\n      line",
                                               ">\n      folded\n      text"};
  std::vector<Mutant> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t text = lines[i].find_first_not_of(' ');
    if (text == std::string::npos || lines[i][text] == '#') continue;  // blank or comment
    const std::string at = "line " + std::to_string(i + 1) + " ";
    auto with = [&](const std::string& what, const std::vector<std::string>& changed) {
      out.push_back({at + what, join(changed)});
    };
    std::vector<std::string> l = lines;
    l.erase(l.begin() + static_cast<long>(i));
    with("deleted", l);
    l = lines;
    l.insert(l.begin() + static_cast<long>(i), lines[i]);
    with("duplicated", l);
    l = lines;
    l[i] = " " + l[i];
    with("indented", l);
    if (!lines[i].empty() && lines[i][0] == ' ') {
      l = lines;
      l[i] = l[i].substr(1);
      with("dedented", l);
    }
    l = lines;
    l.resize(i);
    with("truncated", l);
    const std::size_t v = value_at(lines[i]);
    if (v == std::string::npos) continue;
    // A rotating quarter of the wrong values per line: every wrong value still replaces the
    // value of every fourth line, at a quarter of the checks (each loads the plugins).
    for (std::size_t b = i % 4; b < bad_values.size(); b += 4) {
      l = lines;
      l[i] = lines[i].substr(0, v) + bad_values[b];
      with("value -> " + bad_values[b], l);
    }
  }
  return out;
}

QString describe(const itc::v1::ConfigReport& report) {
  return QString::fromStdString(itc::host::format_report(report));
}

}  // namespace

class CheckConfigTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::pair<int, QString> check_with_binary(const std::string& path) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(ITC_NODE_BIN, {"--check-config", QString::fromStdString(path)});
    if (!p.waitForFinished(30000)) return {-1, "itc-node --check-config did not finish"};
    return {p.exitCode(), QString::fromUtf8(p.readAll())};
  }

 private slots:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  void everyRefusedMutantOfTheExamplesNamesFileAndLine_data() {
    QTest::addColumn<QString>("example");
    QTest::newRow("single-node") << "single-node.yaml";
    QTest::newRow("factory-site") << "factory-site.yaml";
  }
  void everyRefusedMutantOfTheExamplesNamesFileAndLine() {
    QFETCH(QString, example);
    const std::string base = runnable_example(example.toStdString());
    const std::string base_path = write(example.toStdString(), base);
    const auto clean = itc::host::check_config_file(base_path, false);
    QVERIFY2(clean.ok(), qPrintable(describe(clean)));

    int refused = 0;
    QStringList without_line;
    const std::vector<Mutant> mutants = mutants_of(base);
    for (const Mutant& m : mutants) {
      const std::string path = write("mutant-" + example.toStdString(), m.text);
      const auto report = itc::host::check_config_file(path, false);
      if (report.ok()) continue;
      ++refused;
      // As --check-config prints it: every line "path:line:column: ...".
      const QRegularExpression located("^" +
                                       QRegularExpression::escape(QString::fromStdString(path)) +
                                       ":[1-9][0-9]*:[0-9]+: ");  // (column 0: none known)
      const QStringList printed = describe(report).split('\n', Qt::SkipEmptyParts);
      const bool all_located =
          std::all_of(printed.begin(), printed.end(),
                      [&](const QString& line) { return located.match(line).hasMatch(); });
      if (!all_located || printed.size() != report.issues_size()) {
        without_line << QString::fromStdString(m.what) + ": " + describe(report).trimmed();
      }
    }
    qInfo("%s: %zu mutants, %d refused, %lld of them with an issue lacking file:line",
          qPrintable(example), mutants.size(), refused,
          static_cast<long long>(without_line.size()));
    QVERIFY(refused > static_cast<int>(mutants.size()) / 4);  // the mutations do bite
    QVERIFY2(without_line.isEmpty(), qPrintable(without_line.mid(0, 15).join("\n")));
  }

  void crOnlyAndCrlfFilesCheckCleanWithoutAStoppedLine() {
    const std::string base = runnable_example("single-node.yaml");
    for (const char* eol : {"\r", "\r\n"}) {
      const std::string path = write(std::string("eol-") + (eol[1] ? "crlf" : "cr") + ".yaml",
                                     replace_all(base, "\n", eol));
      auto [code, out] = check_with_binary(path);
      QVERIFY2(code == 0 && out.contains(": ok"), qPrintable(out));
      QVERIFY2(!out.contains("stopped"), qPrintable(out));
    }
  }

  void anAdminAddressStartRefusesIsRefusedByTheCheck() {
    std::string text = runnable_example("single-node.yaml");
    text = replace_all(text, "listen: 127.0.0.1:0", "listen: node.example:30744");
    const std::string path = write("dns-listen.yaml", text);
    auto [code, out] = check_with_binary(path);
    QCOMPARE(code, 1);
    QVERIFY2(out.contains(QRegularExpression("dns-listen\\.yaml:\\d+:\\d+: node\\.admin\\.listen: "
                                             ".*'node\\.example' is not an IP address")),
             qPrintable(out));
    QVERIFY2(!out.contains("stopped"), qPrintable(out));
    // And start refuses it the same way, before binding anything.
    QProcess node;
    node.setProcessChannelMode(QProcess::MergedChannels);
    node.start(ITC_NODE_BIN, {"--config", QString::fromStdString(path), "--run-for", "5"});
    QVERIFY(node.waitForFinished(30000));
    const QString log = QString::fromUtf8(node.readAll());
    QCOMPARE(node.exitCode(), 1);
    QVERIFY2(log.contains("is not an IP address"), qPrintable(log));
  }
};

QTEST_GUILESS_MAIN(CheckConfigTest)
#include "check_config_test.moc"
