// The alerting rules and the Grafana dashboard in deploy/monitoring name only metrics a
// real node exports: a PBFT validator (pbft, store-sqlite, sim-lighting, normalize,
// control), a gateway (solo, store-sqlite, normalize, control, modbus, mqtt) and a node
// serving its admin API over HTTPS are started from the build's signed packages and scraped; every
// itc_* name in a rule or panel expression must be on /metrics, with the plugin its selector names.
#include <yaml-cpp/yaml.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QtTest>
#include <set>
#include <string>

#include "https_client.hpp"
#include "local_network.hpp"

using namespace itc::testing;

namespace {

std::string monitoring_dir() {
  return env_or("ITC_SOURCE_DIR", ITC_TEST_SOURCE_DIR) + "/deploy/monitoring";
}

QByteArray read_all(const std::string& path) {
  QFile f(QString::fromStdString(path));
  if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read %s", path.c_str());
  return f.readAll();
}

// Every "expr" and query string anywhere in a dashboard's JSON.
void collect_json_exprs(const QJsonValue& v, QStringList* out) {
  if (v.isObject()) {
    const QJsonObject o = v.toObject();
    for (auto it = o.begin(); it != o.end(); ++it) {
      if ((it.key() == "expr" || it.key() == "definition") && it.value().isString())
        out->append(it.value().toString());
      collect_json_exprs(it.value(), out);
    }
  } else if (v.isArray()) {
    for (const QJsonValue& item : v.toArray()) collect_json_exprs(item, out);
  }
}

// "name" or "name@plugin" for each itc_* metric an expression selects.
std::set<std::string> selected_metrics(const QString& expr) {
  static const QRegularExpression selector(R"((itc_[a-z0-9_]+)(\{[^}]*\})?)");
  static const QRegularExpression plugin(R"(plugin\s*=\s*"([^"]+)\")");
  std::set<std::string> out;
  for (auto it = selector.globalMatch(expr); it.hasNext();) {
    const auto m = it.next();
    std::string name = m.captured(1).toStdString();
    const auto p = plugin.match(m.captured(2));
    if (p.hasMatch()) name += "@" + p.captured(1).toStdString();
    out.insert(name);
  }
  return out;
}

// The same keys for every sample on a /metrics page.
std::set<std::string> exported(const QByteArray& page) {
  static const QRegularExpression sample(R"(^(itc_[a-z0-9_]+)\{([^}]*)\})");
  static const QRegularExpression plugin(R"(plugin="([^"]+)\")");
  std::set<std::string> out;
  for (const QByteArray& line : page.split('\n')) {
    const auto m = sample.match(QString::fromUtf8(line));
    if (!m.hasMatch()) continue;
    out.insert(m.captured(1).toStdString());
    const auto p = plugin.match(m.captured(2));
    if (p.hasMatch()) out.insert(m.captured(1).toStdString() + "@" + p.captured(1).toStdString());
  }
  return out;
}

}  // namespace

class MonitoringMetricsTest : public QObject {
  Q_OBJECT

 private slots:
  void rules_and_dashboard_name_exported_metrics() {
    // What the rules and the dashboard select.
    std::set<std::string> wanted;
    std::set<std::string> recorded;
    int rule_exprs = 0;
    const YAML::Node rules = YAML::LoadFile(monitoring_dir() + "/itc-alerts.yml");
    for (const auto& group : rules["groups"]) {
      for (const auto& rule : group["rules"]) {
        if (rule["record"]) recorded.insert(rule["record"].as<std::string>());
        const auto names = selected_metrics(QString::fromStdString(rule["expr"].as<std::string>()));
        wanted.insert(names.begin(), names.end());
        ++rule_exprs;
      }
    }
    QStringList panel_exprs;
    QJsonParseError error{};
    const QJsonDocument dashboard =
        QJsonDocument::fromJson(read_all(monitoring_dir() + "/itc-site-dashboard.json"), &error);
    QVERIFY2(!dashboard.isNull(), qPrintable("dashboard JSON: " + error.errorString()));
    collect_json_exprs(dashboard.object(), &panel_exprs);
    static const QRegularExpression recording(R"(itc:[a-z0-9_:]+)");
    for (const QString& e : panel_exprs) {
      const auto names = selected_metrics(e);
      wanted.insert(names.begin(), names.end());
      for (auto it = recording.globalMatch(e); it.hasNext();) {
        const std::string r = it.next().captured(0).toStdString();
        QVERIFY2(recorded.count(r),
                 ("the dashboard uses " + r + ", which no rule records").c_str());
      }
    }
    QVERIFY(rule_exprs >= 10);
    QVERIFY(panel_exprs.size() >= 20);

    // A validator: one of a 4-validator network is enough to export every pbft series.
    NetworkOptions opt;
    opt.lamps = 2;
    LocalNetwork net(opt);
    net.start(0);
    QVERIFY2(net.wait_healthy(0), qPrintable(net.log_of(0)));

    // A gateway whose devices are not there: an MQTT broker and a Modbus device on ports
    // nobody listens on. Their plugins run and export their series regardless.
    const std::string owner = itc::crypto::to_hex(net.account(0).public_key());
    NodeProcess gateway;
    NodeConfig config("gateway", free_port());
    config.plugin("store-sqlite").plugin("solo").plugin("normalize").plugin("control");
    config.plugin("modbus", "owner_public_key: " + owner +
                                ", devices: [{id: meter-1, profile: energy-meter, host: 127.0.0.1, "
                                "port: " +
                                std::to_string(free_port()) + ", unit_id: 1}]");
    config.plugin("mqtt", "broker: 127.0.0.1:" + std::to_string(free_port()) +
                              ", owner_public_key: " + owner +
                              ", devices: [{id: lamp-7, profile: dimmable-lamp}]");
    gateway.write_config(config);
    QVERIFY2(gateway.start_running(), qPrintable(gateway.log()));

    // A node serving its admin API over HTTPS exports its certificate's expiry.
    QTemporaryDir pki;
    TestCertificates ca(pki.path().toStdString(), "site-ca");
    const PemPair cert = ca.issue("https-node");
    NodeProcess https_node;
    NodeConfig https_config("https-node", free_port());
    std::string yaml = https_config.yaml();
    const std::string plain =
        "{listen: 127.0.0.1:" + std::to_string(https_config.admin_port()) + "}";
    yaml.replace(yaml.find(plain), plain.size(),
                 "{listen: \"127.0.0.1:" + std::to_string(https_config.admin_port()) +
                     "\", tls: {cert_file: " + cert.cert_file + ", key_file: " + cert.key_file +
                     "}}");
    https_node.write_config(yaml, https_config.admin_port(), https_config.data_dir());
    QVERIFY(https_node.start());
    const HttpsClient https(ca.ca_file());
    QVERIFY2(eventually([&] {
               return https.call(https_config.admin_port(), "GET", "/healthz", "").status == 200;
             }),
             qPrintable(https_node.log()));

    std::set<std::string> have = exported(net.get(0, "/metrics").body);
    for (const QByteArray& page :
         {gateway.get("/metrics").body,
          https.call(https_config.admin_port(), "GET", "/metrics", https_node.token()).body}) {
      const auto more = exported(page);
      have.insert(more.begin(), more.end());
    }
    QVERIFY(have.size() > 40);

    QStringList missing;
    for (const std::string& w : wanted) {
      if (!have.count(w)) missing << QString::fromStdString(w);
    }
    QVERIFY2(missing.isEmpty(),
             qPrintable("named by deploy/monitoring but not exported (name@plugin): " +
                        missing.join(", ")));
    qInfo("%zu metric selectors of %d rules and %lld panel queries, all exported", wanted.size(),
          rule_exprs, static_cast<long long>(panel_exprs.size()));
  }
};

QTEST_GUILESS_MAIN(MonitoringMetricsTest)
#include "monitoring_metrics_test.moc"
