// Studio's models and local checks without a node: where tokens are kept, what the
// dashboard and plugin tables show for given node answers, how the devices model pages a
// large fleet, the config diff, owner-signed commands and package inspection.
#include <sys/stat.h>

#include <QFile>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QValueAxis>
#include <QtTest>

#include "app/readable_table.hpp"
#include "config/line_diff.hpp"
#include "connections/connection_dialog.hpp"
#include "dashboard/alarm_monitor.hpp"
#include "dashboard/axis_scale.hpp"
#include "dashboard/network_summary.hpp"
#include "dashboard/node_table_model.hpp"
#include "dashboard/stats_history.hpp"
#include "devices/device_page_model.hpp"
#include "devices/device_readings_chart.hpp"
#include "devices/owner_command.hpp"
#include "itc/command_signing.hpp"
#include "plugins/package_info.hpp"
#include "plugins/plugin_table_model.hpp"
#include "session/connection_store.hpp"
#include "session/network_session.hpp"

using namespace itc;
using namespace itc::studio;

class StudioModelsTest : public QObject {
  Q_OBJECT

 private slots:
  void tokens_live_in_an_owner_only_file_not_in_settings() {
    QTemporaryDir dir;
    QSettings settings(dir.filePath("studio.ini"), QSettings::IniFormat);
    ConnectionStore store(&settings, dir.filePath("tokens"));
    Connection c{"hall 3",
                 {{QUrl("http://127.0.0.1:8740"), "s3cret-token-0"},
                  {QUrl("http://127.0.0.1:8741"), "s3cret-token-1"}}};
    QString why;
    QVERIFY2(store.save(c, &why), qPrintable(why));

    struct stat st {};
    QCOMPARE(::stat(store.token_file("hall 3").toLocal8Bit().constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    settings.sync();
    QFile ini(dir.filePath("studio.ini"));
    QVERIFY(ini.open(QIODevice::ReadOnly));
    const QByteArray ini_text = ini.readAll();
    QVERIFY(ini_text.contains("127.0.0.1:8741"));
    QVERIFY(!ini_text.contains("s3cret"));

    // A second store over the same files sees the connection with its tokens.
    ConnectionStore again(&settings, dir.filePath("tokens"));
    QCOMPARE(again.names(), QStringList{"hall 3"});
    auto loaded = again.load("hall 3", &why);
    QVERIFY(loaded);
    QCOMPARE(loaded->nodes.size(), 2u);
    QCOMPARE(loaded->nodes[1].token, QByteArray("s3cret-token-1"));
    QCOMPARE(loaded->nodes[1].url, QUrl("http://127.0.0.1:8741"));

    again.remove("hall 3");
    QVERIFY(again.names().isEmpty());
    QVERIFY(!QFile::exists(store.token_file("hall 3")));
    QVERIFY(!again.load("hall 3", &why));
    QVERIFY(why.contains("no saved connection named 'hall 3'"));
  }

  // How each node's certificate is checked (HTTPS): a CA file or a pinned fingerprint per
  // URL line of the connection dialog, kept with the saved connection.
  void connection_lines_carry_a_ca_file_or_a_pin_and_are_saved() {
    QTemporaryDir dir;
    const QString token = dir.filePath("studio.token"), ca = dir.filePath("site-ca.pem");
    for (const QString& f : {token, ca}) {
      QFile file(f);
      QVERIFY(file.open(QIODevice::WriteOnly));
      file.write(f == token ? "0123456789abcdef\n" : "-----BEGIN CERTIFICATE-----\n");
    }
    const QString pin = QString("AB:").repeated(31) + "AB";  // 64 hex digits with colons
    ConnectionDialog dialog;
    dialog.urls_edit()->setPlainText("https://10.0.0.11:8740 " + token + " ca=" + ca +
                                     "\nhttps://10.0.0.12:8740 pin=" + pin + " " + token + "\n");
    QString why;
    auto c = dialog.connection(&why);
    QVERIFY2(c, qPrintable(why));
    QCOMPARE(c->nodes.size(), 2u);
    QCOMPARE(c->nodes[0].ca_file, ca);
    QCOMPARE(c->nodes[0].token, QByteArray("0123456789abcdef"));
    QCOMPARE(c->nodes[1].pin, QByteArray("ab").repeated(32));
    QVERIFY(c->nodes[1].ca_file.isEmpty());

    for (const auto& [line, says] : std::vector<std::pair<QString, QString>>{
             {"https://a:1 " + token + " pin=abc", "line 1: pin= takes a SHA-256 fingerprint"},
             {"http://a:1 " + token + " ca=" + ca, "line 1: ca= and pin= need an https:// URL"},
             {"https://a:1 " + token + " ca=" + dir.filePath("none.pem"),
              "line 1: cannot read the CA file"}}) {
      dialog.urls_edit()->setPlainText(line);
      QVERIFY(!dialog.connection(&why));
      QVERIFY2(why.contains(says), qPrintable(why));
    }

    QSettings settings(dir.filePath("studio.ini"), QSettings::IniFormat);
    ConnectionStore store(&settings, dir.filePath("tokens"));
    QVERIFY2(store.save(*c, &why), qPrintable(why));
    auto loaded = ConnectionStore(&settings, dir.filePath("tokens")).load(c->name, &why);
    QVERIFY2(loaded, qPrintable(why));
    QCOMPARE(loaded->nodes[0].ca_file, ca);
    QVERIFY(loaded->nodes[0].pin.isEmpty());
    QCOMPARE(loaded->nodes[1].pin, c->nodes[1].pin);
  }

  void a_bad_url_is_named_before_anything_is_sent() {
    QVERIFY(AdminClient::check_url(QUrl("ftp://node:1")).contains("http://"));
    QVERIFY(AdminClient::check_url(QUrl("127.0.0.1:8740")).contains("http://"));
    QVERIFY(AdminClient::check_url(QUrl("http://")).contains("names no host"));
    QVERIFY(AdminClient::check_url(QUrl("http://127.0.0.1:8740")).isEmpty());
  }

  void node_table_shows_what_the_stats_events_say() {
    NetworkSession session(
        {"net", {{QUrl("http://127.0.0.1:1"), "t"}, {QUrl("http://127.0.0.1:2"), "t"}}});
    NodeTableModel model(&session);
    QCOMPARE(model.rowCount(), 2);
    QVERIFY(!model.data(model.index(0, NodeTableModel::kHeight)).isValid());

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    v1::Event e;
    auto* s = e.mutable_stats();
    s->set_height(42);
    s->set_view(3);
    s->set_primary(true);
    s->set_peers(3);
    s->set_plugins_running(5);
    s->set_plugins_failed(1);
    session.deliver(1, e);
    QVERIFY(changed.count() >= 1);
    QCOMPARE(model.data(model.index(1, NodeTableModel::kHeight)).toULongLong(), 42u);
    QCOMPARE(model.data(model.index(1, NodeTableModel::kRole)).toString(), QString("primary"));
    QCOMPARE(model.data(model.index(1, NodeTableModel::kView)).toULongLong(), 3u);
    QCOMPARE(model.data(model.index(1, NodeTableModel::kFailed)).toUInt(), 1u);
    QCOMPARE(model.data(model.index(0, NodeTableModel::kHeight)), QVariant());  // node 0 silent
    s->set_primary(false);
    session.deliver(0, e);
    QCOMPARE(model.data(model.index(0, NodeTableModel::kRole)).toString(), QString("replica"));
  }

  void axis_scales_are_round_1_2_5_steps_with_si_labels() {
    QLocale::setDefault(QLocale::c());
    const struct {
      double max, top, step;
    } cases[] = {{37967.9, 40000, 10000},
                 {12153.4, 15000, 5000},
                 {0.7, 0.8, 0.2},
                 {1, 1, 0.2},
                 {4.2, 5, 1},
                 {999, 1000, 200},
                 {0, 1, 1},
                 {-3, 1, 1}};
    for (const auto& c : cases) {
      const AxisScale s = nice_scale(c.max);
      QVERIFY2(qFuzzyCompare(s.top, c.top) && qFuzzyCompare(s.step, c.step),
               qPrintable(QString("%1 -> %2 by %3").arg(c.max).arg(s.top).arg(s.step)));
      QVERIFY(s.steps <= 5 && s.top >= c.max);
    }
    QCOMPARE(si_number(0), QString("0"));
    QCOMPARE(si_number(250), QString("250"));
    QCOMPARE(si_number(1500), QString("1.5 k"));
    QCOMPARE(si_number(40000), QString("40 k"));
    QCOMPARE(si_number(2e6), QString("2 M"));
    QCOMPARE(si_number(0.2), QString("0.2"));
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    QCOMPARE(si_number(1500), QString("1,5 k"));
    QLocale::setDefault(QLocale::c());
  }

  void the_network_line_is_the_median_rate_and_the_worst_latency() {
    StatsHistory h(60);
    v1::NodeStats s;
    const double tx[] = {100, 110, 120, 3000};  // one node lies or catches up
    const double latency[] = {20, 30, 900, 40};
    for (int t = 0; t < 3; ++t) {
      for (int n = 0; n < 4; ++n) {
        s.set_committed_tx_per_s(tx[n]);
        s.set_commit_latency_ms(latency[n]);
        h.add(n, 1000 + t + 0.1 * n, s);
      }
    }
    const auto net = h.network_points(StatsHistory::Metric::kCommittedTxPerS, 0);
    QCOMPARE(net.size(), 3);
    QCOMPARE(net.front(), QPointF(1000, 115));  // median of 100, 110, 120, 3000
    QCOMPARE(h.network_points(StatsHistory::Metric::kCommitLatencyMs, 1001).size(), 2);
    QCOMPARE(h.network_points(StatsHistory::Metric::kCommitLatencyMs, 0).back().y(), 900.0);
    // A chart 100 columns wide gets at most 200 points, the spike kept.
    QList<QPointF> many;
    for (int i = 0; i < 1800; ++i) many.append(QPointF(i, i == 777 ? 1e6 : i % 10));
    const auto shown = StatsHistory::decimate(many, 200);
    QVERIFY(shown.size() <= 200);
    QVERIFY(std::any_of(shown.begin(), shown.end(), [](const QPointF& p) { return p.y() == 1e6; }));
    for (int i = 1; i < shown.size(); ++i) QVERIFY(shown[i].x() > shown[i - 1].x());
  }

  void the_summary_counts_validators_up_and_faults_left() {
    QCOMPARE(fault_tolerance(4), 1);
    QCOMPARE(fault_tolerance(7), 2);
    QCOMPARE(fault_tolerance(1), 0);
    NetworkSession session({"four",
                            {{QUrl("http://127.0.0.1:1"), "x"},
                             {QUrl("http://127.0.0.1:2"), "x"},
                             {QUrl("http://127.0.0.1:3"), "x"},
                             {QUrl("http://127.0.0.1:4"), "x"}}});
    auto item = [&](const QString& key) {
      for (const SummaryItem& it : summarize(session, QDateTime::currentMSecsSinceEpoch())) {
        if (it.key == key) return it;
      }
      return SummaryItem{};
    };
    QCOMPARE(item("validators").value, QString("0 of 4 up"));
    QCOMPARE(item("validators").health, Health::kBad);
    // Stats alone do not make a node up: its stream must be live too (not in this test).
    v1::Event e;
    e.mutable_stats()->set_view(2);
    session.deliver(1, e);
    QCOMPARE(item("validators").value, QString("0 of 4 up"));
    QCOMPARE(health_symbol(Health::kGood), QString::fromUtf8("✔"));
    QCOMPARE(health_symbol(Health::kBad), QString::fromUtf8("✖"));
  }

  void prometheus_values_are_read_by_family() {
    const QByteArray text =
        "# HELP itc_divergences State-root divergences\n"
        "# TYPE itc_divergences gauge\n"
        "itc_divergences{plugin=\"pbft\"} 2\n"
        "itc_divergences_other{plugin=\"pbft\"} 7\n"
        "itc_height{plugin=\"pbft\"} 12\n";
    QCOMPARE(prometheus_value(text, "itc_divergences"), 2.0);
    QCOMPARE(prometheus_value(text, "itc_height"), 12.0);
    QCOMPARE(prometheus_value(text, "itc_missing"), -1.0);
  }

  void the_latency_line_is_the_worst_nodes_rolling_p99() {
    StatsHistory h;
    v1::NodeStats s;
    // Node 0 reports 1..200 ms, one report a second; node 1 a steady 50 ms with one 5 s
    // spike at its 11th report: with fewer than 100 reports the p99 is their largest, with
    // 200 one spike is above the p99 (rank 198 of 200).
    for (int t = 0; t < 200; ++t) {
      s.set_commit_latency_ms(t + 1);
      h.add(0, 1000 + t, s);
      s.set_commit_latency_ms(t == 10 ? 5000 : 50);
      h.add(1, 1000 + t + 0.5, s);
    }
    const auto p99_0 = h.points(0, StatsHistory::Metric::kCommitLatencyP99Ms);
    QCOMPARE(p99_0.back().y(), 198.0);  // nearest rank: ceil(0.99 × 200) = 198th
    QCOMPARE(p99_0.front().y(), 1.0);   // one report: its own value
    const auto p99_1 = h.points(1, StatsHistory::Metric::kCommitLatencyP99Ms);
    QCOMPARE(p99_1.back().y(), 50.0);
    QCOMPARE(p99_1[9].y(), 50.0);
    QCOMPARE(p99_1[10].y(), 5000.0);  // 11 reports: the largest
    QCOMPARE(p99_1[98].y(), 5000.0);  // 99 reports: still the largest
    // The network's line is the worst node's p99; the last-block line the worst last block.
    const auto net = h.network_points(StatsHistory::Metric::kCommitLatencyP99Ms, 0);
    QCOMPARE(net.back().y(), 198.0);
    QCOMPARE(h.network_points(StatsHistory::Metric::kCommitLatencyMs, 0)[10].y(), 5000.0);
    // The window: after 300 s more of 10 ms, node 0's p99 has forgotten 1..200.
    for (int t = 200; t < 520; ++t) {
      s.set_commit_latency_ms(10);
      h.add(0, 1000 + t, s);
    }
    QCOMPARE(h.points(0, StatsHistory::Metric::kCommitLatencyP99Ms).back().y(), 10.0);
  }

  void a_nodes_disk_is_read_from_its_metrics_with_its_watermark() {
    const QByteArray ok =
        "itc_disk_free_bytes 61200000000\n"
        "itc_disk_size_bytes 252000000000\n"
        "itc_disk_watermark{level=\"warn\"} 0\n"
        "itc_disk_watermark{level=\"refuse\"} 0\n"
        "itc_divergences 0\n";
    const QDateTime t0 = QDateTime::currentDateTime();
    NodeMetrics m = read_node_metrics(ok, {}, t0);
    QVERIFY(m.disk_known);
    QCOMPARE(m.disk_level, DiskLevel::kOk);
    QCOMPARE(m.disk_free_bytes, 61.2e9);
    QCOMPARE(disk_sentence("validator-2", m),
             QString("validator-2: 61.2 GB free of 252 GB (24.3 %)"));
    QByteArray refusing = ok;
    refusing
        .replace("itc_disk_watermark{level=\"refuse\"} 0", "itc_disk_watermark{level=\"refuse\"} 1")
        .replace("itc_disk_watermark{level=\"warn\"} 0", "itc_disk_watermark{level=\"warn\"} 1");
    m = read_node_metrics(refusing, m, t0.addSecs(5));
    QCOMPARE(m.disk_level, DiskLevel::kRefuse);
    QCOMPARE(m.disk_level_since, t0.addSecs(5));
    // The level holds: since stays when it was first read.
    m = read_node_metrics(refusing, m, t0.addSecs(10));
    QCOMPARE(m.disk_level_since, t0.addSecs(5));
    QVERIFY2(
        disk_sentence("validator-2", m).endsWith("below the refuse watermark: refuses new work"),
        qPrintable(disk_sentence("validator-2", m)));
    // A node with node.disk disabled exports no disk figures: not known, not an alarm.
    QVERIFY(!read_node_metrics("itc_divergences 3\n", {}, t0).disk_known);
    QCOMPARE(read_node_metrics("itc_divergences 3\n", {}, t0).divergences, 3.0);
    QCOMPARE(byte_size(512), QString("512 B"));
    QCOMPARE(byte_size(2.5e12), QString("2.5 TB"));
  }

  void state_cells_carry_a_symbol_beside_their_colour() {
    PluginTableModel plugins;
    v1::PluginList list;
    auto* p = list.add_plugins();
    p->set_name("pbft");
    p->set_state(v1::RUNNING);
    p = list.add_plugins();
    p->set_name("broken");
    p->set_state(v1::FAILED);
    p = list.add_plugins();
    p->set_name("draining");
    p->set_state(v1::DRAINING);
    plugins.set_plugins(0, "validator-0", list);
    auto state = [&](int row) { return cell_text(plugins.index(row, PluginTableModel::kState)); };
    QCOMPARE(state(plugins.find(0, "pbft")), QString::fromUtf8("✔ running"));
    QCOMPARE(state(plugins.find(0, "broken")), QString::fromUtf8("✖ failed"));
    QCOMPARE(state(plugins.find(0, "draining")), QString::fromUtf8("▲ draining"));
    // Other columns show their text alone.
    QCOMPARE(cell_text(plugins.index(plugins.find(0, "pbft"), PluginTableModel::kName)),
             QString("pbft"));
    // The state column of a readable table is as wide as the symbol and the text.
    QTableView view;
    view.setModel(&plugins);
    ReadableTable* t =
        ReadableTable::apply(&view, {PluginTableModel::kName}, PluginTableModel::kSource);
    t->fit();
    QVERIFY(view.columnWidth(PluginTableModel::kState) >=
            t->width_for(QString::fromUtf8("✖ failed")));
    const QModelIndex failed = plugins.index(plugins.find(0, "broken"), PluginTableModel::kState);
    QCOMPARE(failed.data(kHealthRole).toInt(), static_cast<int>(Health::kBad));
    // Devices: offline or in fault is ✖, stale ▲, online ✔, unknown ?.
    v1::DeviceStatus d;
    d.set_state(v1::DEVICE_STATE_STALE);
    QCOMPARE(DevicePageModel::state_health(d), Health::kWarning);
    d.set_state(v1::DEVICE_STATE_ONLINE);
    d.set_fault(true);
    QCOMPARE(DevicePageModel::state_health(d), Health::kBad);
    QCOMPARE(DevicePageModel::state_health(v1::DeviceStatus()), Health::kUnknown);
  }

  void columns_shrink_back_once_their_content_has_stayed_narrower() {
    QStandardItemModel model(3, 3);
    model.setHorizontalHeaderLabels({"Node", "Health", "Version"});
    for (int r = 0; r < 3; ++r) {
      model.setItem(r, 0, new QStandardItem(QString("validator-%1").arg(r)));
      model.setItem(r, 1, new QStandardItem("healthy"));
      model.setItem(r, 2, new QStandardItem("0.2.0"));
    }
    QTableView view;
    view.setModel(&model);
    view.resize(1000, 300);
    ReadableTable* t = ReadableTable::apply(&view, {0}, 2);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    t->fit();
    const int healthy = view.columnWidth(1);
    QCOMPARE(healthy, t->width_for("healthy"));
    // A long transient text widens its column at once...
    const QString transient = "reconnecting in 15 s: refused";
    model.item(1, 1)->setText(transient);
    t->fit();
    QCOMPARE(view.columnWidth(1), t->width_for(transient));
    // ...which stays while the text is on screen,
    QTest::qWait(ReadableTable::kShrinkAfterMs + 300);
    t->fit();
    QCOMPARE(view.columnWidth(1), t->width_for(transient));
    // and shrinks back once the text is gone and its column has stayed narrower a while.
    model.item(1, 1)->setText("healthy");
    t->fit();
    QCOMPARE(view.columnWidth(1), t->width_for(transient));  // not at once: no jitter
    QTRY_COMPARE_WITH_TIMEOUT(view.columnWidth(1), healthy, ReadableTable::kShrinkAfterMs * 3);
    // The identifying column was never narrower than its text.
    QVERIFY(view.columnWidth(0) >= t->width_for("validator-2"));
    // A column the user sized stays as they sized it.
    view.horizontalHeader()->resizeSection(1, 400);
    t->fit();
    QTest::qWait(ReadableTable::kShrinkAfterMs + 300);
    t->fit();
    QCOMPARE(view.columnWidth(1), 400);
  }

  void a_devices_readings_have_one_axis_per_unit() {
    DeviceReadingsChart chart;
    chart.reset("lamp-1");
    v1::DeviceStatus st;
    auto reading = [&](const char* metric, const char* unit, double v, std::int64_t t_us) {
      auto* r = st.add_last_readings();
      r->set_metric(metric);
      r->set_unit(unit);
      r->set_value(v);
      r->set_sampled_at_us(t_us);
    };
    reading("dim", "%", 37, 1'000'000);
    reading("power", "W", 1500, 1'000'000);
    reading("temperature", "°C", 41, 1'000'000);
    reading("on", "", 1, 1'000'000);
    chart.add(st);
    QCOMPARE(chart.units(), (QStringList{"%", "W", QString::fromUtf8("°C"), ""}));
    QVERIFY(chart.metric_axis("dim") != chart.metric_axis("power"));
    QCOMPARE(chart.metric_axis("power")->titleText(), QString("W"));
    // Each axis from 0 to the round top that holds its own values.
    QCOMPARE(chart.metric_axis("power")->max(), 2000.0);
    QCOMPARE(chart.metric_axis("dim")->max(), 40.0);
    QCOMPARE(chart.metric_axis("temperature")->max(), 50.0);
    QCOMPARE(chart.metric_axis("on")->titleText(), QString("value"));
    // Alternating sides: the first unit left, the second right.
    QCOMPARE(chart.unit_axis("%")->alignment(), Qt::AlignLeft);
    QCOMPARE(chart.unit_axis("W")->alignment(), Qt::AlignRight);
    // Another device starts over.
    chart.reset("lamp-2");
    QVERIFY(chart.units().isEmpty());
  }

  void stats_history_keeps_the_window_per_node() {
    StatsHistory h(60);
    v1::NodeStats s;
    for (int t = 0; t <= 100; ++t) {
      s.set_committed_tx_per_s(t);
      s.set_commit_latency_ms(1000 - t);
      h.add(0, t, s);
      if (t % 2 == 0) h.add(1, t, s);
    }
    const auto tx = h.points(0, StatsHistory::Metric::kCommittedTxPerS);
    QCOMPARE(tx.size(), 61);
    QCOMPARE(tx.front(), QPointF(40, 40));
    QCOMPARE(tx.back(), QPointF(100, 100));
    QCOMPARE(h.points(1, StatsHistory::Metric::kCommittedTxPerS).size(), 31);
    QCOMPARE(h.max_value(StatsHistory::Metric::kCommitLatencyMs), 960.0);
    QVERIFY(h.points(7, StatsHistory::Metric::kReadingsPerS).isEmpty());
  }

  void plugin_table_follows_lifecycle_answers_and_remembers_roll_back() {
    PluginTableModel model;
    v1::PluginList list;
    auto* a = list.add_plugins();
    a->set_name("sim-lighting");
    a->set_version("1.0.0");
    a->set_layer("connection");
    a->set_state(v1::RUNNING);
    a->set_source("/pkgs/sim-lighting-1.itcpkg");
    auto* b = list.add_plugins();
    b->set_name("normalize");
    b->set_state(v1::FAILED);
    b->set_reason("profile 'x': unit missing");
    model.set_plugins(0, "node-a", list);
    model.set_plugins(1, "node-b", list);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.data(model.index(1, PluginTableModel::kState)).toString(), QString("failed"));
    QCOMPARE(model.data(model.index(1, PluginTableModel::kReason)).toString(),
             QString("profile 'x': unit missing"));

    v1::PluginStatus swapped = *a;
    swapped.set_version("2.0.0");
    swapped.set_swaps(1);
    model.update_plugin(1, "node-b", swapped);
    QCOMPARE(model.rowCount(), 4);
    const int row = model.find(1, "sim-lighting");
    QCOMPARE(model.data(model.index(row, PluginTableModel::kVersion)).toString(), QString("2.0.0"));
    QCOMPARE(model.data(model.index(model.find(0, "sim-lighting"), PluginTableModel::kVersion))
                 .toString(),
             QString("1.0.0"));
    QVERIFY(model.previous_source(1, "sim-lighting").isEmpty());
    model.remember_previous_source(1, "sim-lighting", "/pkgs/sim-lighting-1.itcpkg");
    QCOMPARE(model.previous_source(1, "sim-lighting"), QString("/pkgs/sim-lighting-1.itcpkg"));
    QVERIFY(model.previous_source(0, "sim-lighting").isEmpty());
  }

  void devices_model_pages_a_large_fleet_and_keeps_a_bounded_window() {
    std::vector<std::tuple<quint64, QString, int, int>> asked;
    DevicePageModel model([&](quint64 gen, const DeviceFilter& f, int offset, int limit) {
      asked.emplace_back(gen, f.query(offset, limit), offset, limit);
    });
    auto page = [](int offset, int count, int total) {
      v1::DeviceList l;
      l.set_total(static_cast<std::uint32_t>(total));
      l.set_offset(static_cast<std::uint32_t>(offset));
      for (int i = 0; i < count; ++i) {
        l.add_devices()->set_device_id(
            QString("lamp-%1").arg(offset + i, 6, 10, QChar('0')).toStdString());
      }
      return l;
    };
    model.set_filter({"online", "lamp-0"});
    QCOMPARE(asked.size(), 1u);
    QCOMPARE(std::get<1>(asked[0]),
             QString("/v1/devices?offset=0&limit=200&state=online&q=lamp-0"));
    const quint64 gen = model.generation();
    model.page_arrived(gen, page(0, 200, 100000));
    QCOMPARE(model.rowCount(), 100000);
    QCOMPARE(model.data(model.index(5, 0)).toString(), QString("lamp-000005"));

    // A row far down asks for its page once, and shows a placeholder until it comes.
    QCOMPARE(model.data(model.index(54321, 0)).toString(), QString("…"));
    (void)model.data(model.index(54322, 0));
    QCOMPARE(asked.size(), 2u);
    QCOMPARE(std::get<2>(asked[1]), 54200);
    model.page_arrived(gen, page(54200, 200, 100000));
    QCOMPARE(model.data(model.index(54321, 0)).toString(), QString("lamp-054321"));

    // Scrolling through everything never holds more than kMaxPages pages.
    for (int p = 0; p < 500; ++p) model.page_arrived(gen, page(p * 200, 200, 100000));
    QCOMPARE(model.cached_pages(), DevicePageModel::kMaxPages);

    // An answer to an older filter is dropped.
    model.set_filter({"", "lamp-0999"});
    model.page_arrived(gen, page(0, 200, 100000));
    QVERIFY(!model.loaded());
    QCOMPARE(model.rowCount(), 0);
    model.page_arrived(model.generation(), page(0, 10, 10));
    QCOMPARE(model.rowCount(), 10);

    // Shown rows are fetched again on refresh, even when cached. A changed count adds or
    // removes rows at the end (no reset: a view keeps its selection and scroll position)
    // and drops the other cached pages, whose rows may have shifted.
    asked.clear();
    model.refresh_rows(0, 9);
    QCOMPARE(asked.size(), 1u);
    QCOMPARE(std::get<2>(asked[0]), 0);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.page_arrived(model.generation(), page(0, 12, 12));
    QCOMPARE(model.rowCount(), 12);
    QCOMPARE(resets.size(), 0);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first()[1].toInt(), 10);
    QCOMPARE(inserted.first()[2].toInt(), 11);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.page_arrived(model.generation(), page(0, 10, 10));
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(resets.size(), 0);

    // A device event updates its row.
    v1::DeviceStatus st;
    st.set_device_id("lamp-000003");
    st.set_state(v1::DEVICE_STATE_OFFLINE);
    st.set_last_command("refused nonce 9: not_owner: signed by another key");  // the lamp's own
    model.update_device(st);
    QCOMPARE(model.data(model.index(3, DevicePageModel::kState)).toString(), QString("offline"));
    QCOMPARE(model.data(model.index(3, DevicePageModel::kLastCommand)).toString(),
             QString("refused nonce 9: not_owner: signed by another key"));
    QCOMPARE(model.headerData(DevicePageModel::kLastCommand, Qt::Horizontal).toString(),
             QString("Device's verdict"));
    model.page_failed(model.generation(), "HTTP 503");
    QCOMPARE(model.last_error(), QString("HTTP 503"));
  }

  void config_diff_shows_only_changes_with_context() {
    const QString before = "node:\n  name: a\n  data_dir: d\nplugins:\n  - name: x\n";
    const QString after = "node:\n  name: b\n  data_dir: d\nplugins:\n  - name: x\n  - name: y\n";
    const QString diff = unified_diff(diff_lines(before, after), 0);
    QCOMPARE(diff, QString("-    2 |   name: a\n+    2 |   name: b\n…\n+    6 |   - name: y\n"));
    QVERIFY(unified_diff(diff_lines(before, before)).isEmpty());
  }

  void commands_are_signed_by_the_owner_with_increasing_nonces() {
    auto owner = *crypto::Ed25519PrivateKey::generate();
    CommandRequest req;
    req.device_id = "lamp-000001";
    req.action = v1::ACTION_DIM;
    req.dim_level = 37;
    const v1::Command first = sign_owner_command(req, owner);
    QCOMPARE(first.dim_level(), 37u);
    QVERIFY(verify_command(first, owner.public_key()).ok());
    const v1::Command second = sign_owner_command(req, owner, first.nonce() + 1000);
    QVERIFY(second.nonce() > first.nonce() + 1000);
    v1::Command tampered = first;
    tampered.set_dim_level(100);
    QVERIFY(!verify_command(tampered, owner.public_key()).ok());
    auto other = *crypto::Ed25519PrivateKey::generate();
    QVERIFY(!verify_command(first, other.public_key()).ok());
  }

  void schedules_parse_or_name_the_bad_item() {
    QString why;
    auto s = parse_schedule("07:00 on; 12:30 dim 40; 22:00 off", &why);
    QVERIFY2(s, qPrintable(why));
    QCOMPARE(s->size(), 3u);
    QCOMPARE((*s)[1].minute_of_day(), 750u);
    QCOMPARE((*s)[1].action(), v1::ACTION_DIM);
    QCOMPARE((*s)[1].dim_level(), 40u);
    QVERIFY(!parse_schedule("07:00 on; 25:00 off", &why));
    QVERIFY(why.contains("'25:00 off'"));
    QVERIFY(!parse_schedule("08:00 dim", &why));
    QVERIFY(why.contains("dim needs a level"));
    QVERIFY(!parse_schedule("", &why));
  }

  void a_package_is_read_and_checked_locally() {
    const QString path = qEnvironmentVariable("ITC_PACKAGE_DIR") + "/sim-lighting.itcpkg";
    const PackageInfo info = read_package(path);
    QVERIFY2(info.readable, qPrintable(info.error));
    QCOMPARE(info.manifest.name(), std::string("sim-lighting"));
    QVERIFY(info.signature_valid);
    QVERIFY(info.library_matches);
    auto vendor = crypto::load_public_key(qEnvironmentVariable("ITC_VENDOR_KEY").toStdString());
    QVERIFY(vendor.ok());
    QCOMPARE(info.vendor_key_hex(), QString::fromStdString(crypto::to_hex(*vendor)));

    // One flipped byte in the library: the digest no longer matches.
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray bytes = f.readAll();
    bytes[bytes.size() - 100] = static_cast<char>(bytes[bytes.size() - 100] ^ 0x40);
    QTemporaryDir dir;
    QFile out(dir.filePath("tampered.itcpkg"));
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(bytes);
    out.close();
    const PackageInfo bad = read_package(out.fileName());
    QVERIFY(bad.readable);
    QVERIFY(!bad.library_matches);
    QVERIFY(bad.describe().contains("does NOT match"));
    QVERIFY(read_package(dir.filePath("missing.itcpkg")).error.contains("cannot read"));
  }
};

QTEST_MAIN(StudioModelsTest)
#include "studio_models_test.moc"
