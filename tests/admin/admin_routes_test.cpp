// The admin API's route table is the one list of endpoints: README.md carries exactly
// what `itc-node --print-routes` prints, every pattern is unique, and only the probes are
// public.
#include "host/admin_routes.hpp"

#include <QtTest>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

std::string source_dir() {
  const char* dir = std::getenv("ITC_SOURCE_DIR");
  return dir ? dir : ITC_TEST_SOURCE_DIR;
}

// The text between README.md's admin-routes markers (their own lines excluded).
std::string readme_route_list() {
  std::ifstream in(source_dir() + "/README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string begin = "<!-- admin-routes:begin -->\n";
  const std::size_t from = readme.find(begin);
  const std::size_t to = readme.find("<!-- admin-routes:end -->");
  if (from == std::string::npos || to == std::string::npos || to < from) return "<no markers>";
  return readme.substr(from + begin.size(), to - from - begin.size());
}

}  // namespace

class AdminRoutesTest : public QObject {
  Q_OBJECT

 private slots:
  void readme_lists_exactly_the_route_table() {
    const std::string generated = itc::host::admin_route_list();
    const std::string readme = readme_route_list();
    if (readme != generated) {
      qWarning().noquote() << "README.md's admin endpoint list is out of date; replace the "
                              "lines between its admin-routes markers with the output of "
                              "`itc-node --print-routes`:\n"
                           << QString::fromStdString(generated);
    }
    QCOMPARE(QString::fromStdString(readme), QString::fromStdString(generated));
  }

  void each_method_and_pattern_is_listed_once() {
    std::set<std::string> seen;
    for (const auto& r : itc::host::admin_routes()) {
      const std::string key = std::string(r.method) + " " + std::string(r.pattern);
      QVERIFY2(seen.insert(key).second, key.c_str());
      QVERIFY2(r.pattern.starts_with('/'), key.c_str());
      QVERIFY2(!r.doc.empty(), key.c_str());
    }
    QCOMPARE(seen.size(), std::size_t{37});
  }

  // Roles: read sees (dashboards, Prometheus), operate also submits (transactions,
  // commands), admin also changes the node (plugins, config, tokens) and reads its config.
  void every_route_names_the_role_it_needs() {
    using itc::host::admin_route_access;
    using itc::host::AdminAccess;
    for (const auto& r : itc::host::admin_routes()) {
      const std::string key = std::string(r.method) + " " + std::string(r.pattern);
      const bool changes_node = r.pattern.starts_with("/v1/plugins/") ||
                                r.pattern.starts_with("/v1/config") ||
                                r.pattern.starts_with("/v1/tokens");
      if (changes_node && r.pattern != "/v1/plugins") {
        QVERIFY2(r.access == AdminAccess::kAdmin, key.c_str());
      } else if (r.method == "POST") {
        QVERIFY2(r.access == AdminAccess::kOperate, key.c_str());
      } else if (r.access != AdminAccess::kPublic) {
        QVERIFY2(r.access == AdminAccess::kRead, key.c_str());
      }
    }
    QVERIFY(admin_route_access("POST", "/v1/plugins/mqtt/swap") == AdminAccess::kAdmin);
    QVERIFY(admin_route_access("POST", "/v1/tx") == AdminAccess::kOperate);
    QVERIFY(admin_route_access("GET", "/metrics") == AdminAccess::kRead);
    QVERIFY(admin_route_access("GET", "/no/such/route") == AdminAccess::kRead);
  }

  void only_the_probes_are_public() {
    std::set<std::string> open;
    for (const auto& r : itc::host::admin_routes()) {
      if (r.access == itc::host::AdminAccess::kPublic) open.insert(std::string(r.pattern));
    }
    QCOMPARE(open, (std::set<std::string>{"/healthz", "/readyz"}));
    QVERIFY(itc::host::admin_path_is_public("/readyz"));
    QVERIFY(!itc::host::admin_path_is_public("/readyz/"));
    QVERIFY(!itc::host::admin_path_is_public("/metrics"));
  }
};

QTEST_GUILESS_MAIN(AdminRoutesTest)
#include "admin_routes_test.moc"
