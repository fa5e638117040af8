// MetricsRegistry: what a Prometheus scrape of /metrics sees, and what itc-node --progress
// reads back. The rendered text must pass `promtool check metrics`.
#include "host/metrics_registry.hpp"

#include <QProcess>
#include <QStandardPaths>
#include <QtTest>
#include <stdexcept>

using itc::host::MetricsRegistry;

namespace {

// Runs promtool on `text`; returns its exit code, with its output in `out`.
int promtool_check(const std::string& text, QString* out) {
  QProcess p;
  p.start("promtool", {"check", "metrics"});
  if (!p.waitForStarted(10000)) return -1;
  p.write(text.data(), static_cast<qint64>(text.size()));
  p.closeWriteChannel();
  p.waitForFinished(30000);
  *out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
  return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

}  // namespace

class MetricsRegistryTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    if (QStandardPaths::findExecutable("promtool").isEmpty()) {
      QFAIL("promtool not found (Debian package prometheus)");
    }
  }

  void samePluginAndNameGivesSameObject() {
    MetricsRegistry r;
    itc::Counter& a = r.counter("solo", "readings_committed", "Readings committed");
    itc::Counter& b = r.counter("solo", "readings_committed", "ignored second help");
    itc::Counter& c = r.counter("solo", "readings_committed_total", "same series");
    QCOMPARE(&a, &b);
    QCOMPARE(&a, &c);
    itc::Counter& other = r.counter("dag", "readings_committed", "");
    QVERIFY(&a != &other);
    itc::Gauge& g1 = r.gauge("solo", "height", "h");
    QCOMPARE(&g1, &r.gauge("solo", "height", "h"));
  }

  void valueOfReadsCountersAndGauges() {
    MetricsRegistry r;
    r.counter("solo", "blocks_committed", "Blocks").add(7);
    r.gauge("sim-lighting", "lamps", "Lamps").set(1000);
    QCOMPARE(r.value_of("solo", "blocks_committed"), std::optional<double>(7));
    QCOMPARE(r.value_of("solo", "blocks_committed_total"), std::optional<double>(7));
    QCOMPARE(r.value_of("sim-lighting", "lamps"), std::optional<double>(1000));
    QVERIFY(!r.value_of("solo", "lamps").has_value());
    QVERIFY(!r.value_of("absent", "blocks_committed").has_value());
  }

  void rendersFamiliesOnceWithPluginLabels() {
    MetricsRegistry r;
    r.counter("solo", "readings_committed", "Readings committed").add(5);
    r.counter("dag", "readings_committed", "Readings committed").add(2);
    r.gauge("solo", "height", "Chain height").set(4.5);
    const QString text = QString::fromStdString(r.render_prometheus());
    QCOMPARE(text.count("# HELP itc_readings_committed_total Readings committed\n"), 1);
    QCOMPARE(text.count("# TYPE itc_readings_committed_total counter\n"), 1);
    QVERIFY(text.contains("itc_readings_committed_total{plugin=\"solo\"} 5\n"));
    QVERIFY(text.contains("itc_readings_committed_total{plugin=\"dag\"} 2\n"));
    QVERIFY(text.contains("# TYPE itc_height gauge\nitc_height{plugin=\"solo\"} 4.5\n"));
    QString out;
    QCOMPARE(promtool_check(r.render_prometheus(), &out), 0);
  }

  void escapesLabelsAndHelpAndFixesNames() {
    MetricsRegistry r;
    r.gauge("we\"ird\\plug\nin", "bad-name!", "help with \\ and\nnewline").set(1);
    r.gauge("p", "level_total", "a gauge may not end in _total").set(3);
    r.counter("p", "9lives", "").add(2);
    const std::string text = r.render_prometheus();
    QVERIFY(text.find("itc_bad_name_{plugin=\"we\\\"ird\\\\plug\\nin\"} 1") != std::string::npos);
    QVERIFY(text.find("# HELP itc_bad_name_ help with \\\\ and\\nnewline\n") != std::string::npos);
    QVERIFY(text.find("itc_level{plugin=\"p\"} 3") != std::string::npos);
    QVERIFY(text.find("itc_9lives_total{plugin=\"p\"} 2") != std::string::npos);
    QString out;
    QVERIFY2(promtool_check(text, &out) == 0,
             qPrintable(out + "\n" + QString::fromStdString(text)));
  }

  void collectorsRenderAtScrapeTime() {
    MetricsRegistry r;
    double published = 1;
    r.add_collector("itc_bus_published", "Messages published per topic", "counter", [&] {
      return std::vector<MetricsRegistry::Sample>{
          {MetricsRegistry::label("topic", "device.readings"), published}};
    });
    r.add_collector(
        "itc_broken", "A collector that throws", "gauge",
        []() -> std::vector<MetricsRegistry::Sample> { throw std::runtime_error("bus is gone"); });
    published = 42;
    const std::string text = r.render_prometheus();
    QVERIFY(text.find("itc_bus_published_total{topic=\"device.readings\"} 42\n") !=
            std::string::npos);
    QVERIFY(text.find("# collector itc_broken failed: bus is gone") != std::string::npos);
    QString out;
    QVERIFY2(promtool_check(text, &out) == 0, qPrintable(out));
  }

  void promtoolRejectsBrokenText() {
    // The check above would be worthless if promtool accepted anything.
    QString out;
    QVERIFY(promtool_check("# TYPE x counter\nx{a=\"1} 1\n", &out) != 0);
  }
};

QTEST_GUILESS_MAIN(MetricsRegistryTest)
#include "metrics_registry_test.moc"
