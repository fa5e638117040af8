// Studio's views driven against a real itc-node (one PBFT validator, 30 simulated lamps,
// signed packages) on loopback, as a user would: connect, see the node and its plugins,
// load / hot-swap / roll back / unload a signed plugin, validate a broken config and land
// on its line, edit sim-lighting's section in its generated form and have the node judge
// it, page and filter the fleet with reading counts that keep up, sign a command and see
// the lamp's next readings change, verify a block's certificate and a transaction's inclusion
// locally; and the messages for a wrong URL, a refused token and a node that went away and came
// back.
#include <google/protobuf/util/json_util.h>

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBlock>
#include <QTextCursor>
#include <QtTest>

#include "app/main_window.hpp"
#include "config/config_view.hpp"
#include "config/plugin_config_form.hpp"
#include "connections/connection_dialog.hpp"
#include "dashboard/dashboard_view.hpp"
#include "devices/devices_view.hpp"
#include "ledger/ledger_view.hpp"
#include "plugins/plugins_view.hpp"
#include "studio_node.hpp"

using namespace itc;
using namespace itc::studio;
using itc::testing::StudioNode;

namespace {
constexpr int kLamps = 30;
constexpr int kWait = 30000;
const QString kPkgDir = STUDIO_PKG_DIR;
}  // namespace

class StudioWidgetsTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("IoT Chain test");
    QCoreApplication::setApplicationName("itc-studio-test");
    node_ = std::make_unique<StudioNode>(kLamps);
    node_->start();
    store_ = std::make_unique<ConnectionStore>();
    window_ = std::make_unique<MainWindow>(store_.get());
    window_->show();
    window_->open_connection({"test node", {node_->endpoint()}});
  }

  void cleanupTestCase() {
    window_.reset();
    node_.reset();
  }

  void connects_and_shows_the_node_on_the_dashboard() {
    NodeTableModel* m = window_->dashboard()->model();
    QTRY_VERIFY_WITH_TIMEOUT(window_->session()->node(0).live, kWait);
    QTRY_COMPARE_WITH_TIMEOUT(m->data(m->index(0, NodeTableModel::kHealth)).toString(),
                              QString("healthy"), kWait);
    QCOMPARE(m->data(m->index(0, NodeTableModel::kNode)).toString(), QString("validator-0"));
    QCOMPARE(m->data(m->index(0, NodeTableModel::kRole)).toString(), QString("primary"));
    QTRY_VERIFY_WITH_TIMEOUT(m->data(m->index(0, NodeTableModel::kHeight)).toULongLong() > 0,
                             kWait);
    QVERIFY(m->data(m->index(0, NodeTableModel::kRunning)).toUInt() >= 5);
    QVERIFY(!m->data(m->index(0, NodeTableModel::kVersion)).toString().isEmpty());
    // The charts are fed by the once-a-second stats: readings/s climbs above zero.
    QTRY_VERIFY_WITH_TIMEOUT(
        window_->dashboard()->history().max_value(StatsHistory::Metric::kReadingsPerS) > 0, kWait);
    QVERIFY(window_->about_text().contains("validator-0 — itc-node"));
    QVERIFY(window_->about_text().contains(qVersion()));
  }

  void lists_every_plugin_with_state_and_signer() {
    PluginTableModel* m = window_->plugins()->model();
    QTRY_VERIFY_WITH_TIMEOUT(m->find(0, "pbft") >= 0, kWait);
    for (const char* name : {"store-sqlite", "pbft", "sim-lighting", "normalize", "control"}) {
      const int row = m->find(0, name);
      QVERIFY2(row >= 0, name);
      QCOMPARE(m->data(m->index(row, PluginTableModel::kState)).toString(), QString("running"));
      QVERIFY(!m->data(m->index(row, PluginTableModel::kSigner)).toString().isEmpty());
    }
  }

  void loads_hot_swaps_rolls_back_and_unloads_a_signed_plugin() {
    PluginsView* v = window_->plugins();
    PluginTableModel* m = v->model();
    QSignalSpy answered(v, &PluginsView::answered);
    // The node's answer to the last call: (ok, text); (false, "no answer") if none came.
    auto wait_answer = [&] {
      if (!QTest::qWaitFor([&] { return !answered.isEmpty(); }, kWait)) {
        return std::make_pair(false, QString("no answer"));
      }
      const auto args = answered.takeFirst();
      return std::make_pair(args[0].toBool(), args[1].toString());
    };
    auto version = [&] {
      const int row = m->find(0, "counter");
      return row < 0 ? QString() : m->data(m->index(row, PluginTableModel::kVersion)).toString();
    };

    v->load_package(0, kPkgDir + "/counter-1.0.0.itcpkg");
    auto [ok, text] = wait_answer();
    QVERIFY2(ok, qPrintable(text));
    QVERIFY2(text.contains("counter 1.0.0 is running"), qPrintable(text));
    QCOMPARE(version(), QString("1.0.0"));

    v->swap_plugin(m->find(0, "counter"), kPkgDir + "/counter-2.0.0.itcpkg");
    std::tie(ok, text) = wait_answer();
    QVERIFY2(ok, qPrintable(text));
    QCOMPARE(version(), QString("2.0.0"));
    QCOMPARE(m->data(m->index(m->find(0, "counter"), PluginTableModel::kSwaps)).toUInt(), 1u);

    v->roll_back(m->find(0, "counter"));
    std::tie(ok, text) = wait_answer();
    QVERIFY2(ok, qPrintable(text));
    QCOMPARE(version(), QString("1.0.0"));

    v->unload_plugin(m->find(0, "counter"));
    std::tie(ok, text) = wait_answer();
    QVERIFY2(ok, qPrintable(text));
    QVERIFY2(text.contains("counter is unloaded"), qPrintable(text));
    QTRY_VERIFY_WITH_TIMEOUT(
        m->find(0, "counter") < 0 ||
            m->data(m->index(m->find(0, "counter"), PluginTableModel::kState)).toString() ==
                "unloaded",
        kWait);
  }

  void a_package_from_an_untrusted_vendor_is_refused_with_the_reason() {
    PluginsView* v = window_->plugins();
    QSignalSpy answered(v, &PluginsView::answered);
    v->load_package(0, kPkgDir + "/counter-untrusted.itcpkg");
    QTRY_VERIFY_WITH_TIMEOUT(!answered.isEmpty(), kWait);
    QCOMPARE(answered.first()[0].toBool(), false);
    const QString text = answered.first()[1].toString();
    QVERIFY2(text.contains("refused") && text.contains("HTTP 403"), qPrintable(text));
    QVERIFY2(text.contains("trust", Qt::CaseInsensitive), qPrintable(text));
    // Nothing runs from it; where the node lists the attempt, its row says why.
    const int row = v->model()->find(0, "counter");
    if (row >= 0) {
      PluginTableModel* m = v->model();
      QVERIFY(m->data(m->index(row, PluginTableModel::kState)).toString() != "running");
      if (m->data(m->index(row, PluginTableModel::kState)).toString() == "failed") {
        QVERIFY(m->data(m->index(row, PluginTableModel::kReason)).toString().contains("trust"));
      }
    }
    qInfo("the node's answer: %s", qPrintable(text));
  }

  void a_broken_config_shows_its_error_at_its_line() {
    ConfigView* c = window_->config();
    QTRY_VERIFY_WITH_TIMEOUT(c->editor()->toPlainText().contains("sim-lighting"), kWait);
    const QString yaml = c->editor()->toPlainText();
    const QString good = QString("lamps: %1").arg(kLamps);
    QVERIFY2(yaml.contains(good), qPrintable(yaml));
    const int line = static_cast<int>(yaml.left(yaml.indexOf(good)).count('\n')) + 1;
    c->editor()->setPlainText(QString(yaml).replace(good, "lamps: plenty"));
    QVERIFY(c->pending_diff().contains("lamps: plenty"));

    QSignalSpy validated(c, &ConfigView::validated);
    c->validate();
    QTRY_VERIFY_WITH_TIMEOUT(!validated.isEmpty(), kWait);
    QCOMPARE(validated.first()[0].toBool(), false);
    QVERIFY(c->issue_list()->count() >= 1);
    QListWidgetItem* item = c->issue_list()->item(0);
    QCOMPARE(item->data(Qt::UserRole).toInt(), line);
    QVERIFY2(item->text().contains("lamps"), qPrintable(item->text()));
    QVERIFY(!c->editor()->extraSelections().isEmpty());
    QCOMPARE(c->editor()->extraSelections().first().cursor.block().blockNumber(), line - 1);

    c->jump_to(1, 1);
    emit c->issue_list()->itemClicked(item);
    QCOMPARE(c->editor()->textCursor().blockNumber(), line - 1);

    // Fixed again, it validates.
    validated.clear();
    c->editor()->setPlainText(yaml);
    c->validate();
    QTRY_VERIFY_WITH_TIMEOUT(!validated.isEmpty(), kWait);
    QVERIFY2(validated.first()[0].toBool(), qPrintable(c->status_text()));
    QCOMPARE(c->issue_list()->count(), 0);
  }

  void the_plugin_form_writes_a_section_the_node_validates() {
    ConfigView* c = window_->config();
    QTRY_VERIFY_WITH_TIMEOUT(c->plugin_box()->findText("sim-lighting") >= 0, kWait);
    const QString yaml = c->editor()->toPlainText();
    QSignalSpy opened(c, &ConfigView::form_opened);
    c->open_form("sim-lighting");
    QTRY_VERIFY_WITH_TIMEOUT(!opened.isEmpty(), kWait);
    QVERIFY2(opened.first()[0].toBool(), qPrintable(c->status_text()));
    auto* lamps = qobject_cast<QLineEdit*>(c->form()->editor("lamps"));
    QVERIFY(lamps);
    QCOMPARE(lamps->text(), QString::number(kLamps));  // the node's value
    QVERIFY(c->form()->set_box("lamps")->isChecked());

    // A new value, written into the text: only sim-lighting's config line changes.
    lamps->setText("31");
    QVERIFY2(c->apply_form(), qPrintable(c->status_text()));
    const QString edited = c->editor()->toPlainText();
    const QStringList before = yaml.split('\n'), after = edited.split('\n');
    QCOMPARE(after.size(), before.size());
    int changed = -1;
    for (int i = 0; i < before.size(); ++i) {
      if (before[i] == after[i]) continue;
      QCOMPARE(changed, -1);
      changed = i;
    }
    QVERIFY(changed >= 0);
    QVERIFY2(after[changed].contains("config: {lamps: 31,"), qPrintable(after[changed]));
    QSignalSpy validated(c, &ConfigView::validated);
    c->validate();
    QTRY_VERIFY_WITH_TIMEOUT(!validated.isEmpty(), kWait);
    QVERIFY2(validated.first()[0].toBool(), qPrintable(c->status_text()));

    // Out of the range the plugin's proto declares: the form refuses it in the node's
    // words and leaves the text alone ...
    lamps->setText("0");
    QVERIFY(!c->apply_form());
    QVERIFY2(c->status_text().contains("lamps: must be 1..100000, got 0"),
             qPrintable(c->status_text()));
    QCOMPARE(c->editor()->toPlainText(), edited);
    // ... and written in the text, the node's error lands on that line.
    QTextCursor at = c->editor()->document()->find("lamps: 31");
    QVERIFY(!at.isNull());
    at.insertText("lamps: 0");
    validated.clear();
    c->validate();
    QTRY_VERIFY_WITH_TIMEOUT(!validated.isEmpty(), kWait);
    QCOMPARE(validated.first()[0].toBool(), false);
    QVERIFY(c->issue_list()->count() >= 1);
    QListWidgetItem* item = c->issue_list()->item(0);
    QCOMPARE(item->data(Qt::UserRole).toInt(), changed + 1);
    QVERIFY2(item->text().contains("lamps") && item->text().contains("1..100000"),
             qPrintable(item->text()));

    // Each write is one edit: two undos give back the loaded text.
    c->editor()->undo();
    c->editor()->undo();
    QCOMPARE(c->editor()->toPlainText(), yaml);
    QVERIFY(c->pending_diff().isEmpty());
  }

  void pages_and_filters_the_fleet() {
    DevicesView* d = window_->devices();
    QTRY_COMPARE_WITH_TIMEOUT(d->model()->total(), kLamps, kWait);
    d->search_box()->setText("lamp-00001");  // typing applies the filter after a pause
    QTRY_VERIFY_WITH_TIMEOUT(d->model()->loaded() && d->model()->filter().text == "lamp-00001",
                             kWait);
    QCOMPARE(d->model()->total(), 10);  // v0-lamp-000010 .. v0-lamp-000019
    QCOMPARE(d->model()->data(d->model()->index(0, DevicePageModel::kId)).toString(),
             QString("v0-lamp-000010"));
    d->search_box()->clear();
    d->state_box()->setCurrentIndex(d->state_box()->findData("online"));
    QTRY_VERIFY_WITH_TIMEOUT(d->model()->loaded() && d->model()->filter().state == "online", kWait);
    QVERIFY(d->model()->total() > 0);
    QVERIFY(d->model()->total() <= kLamps);
    QCOMPARE(d->model()->data(d->model()->index(0, DevicePageModel::kState)).toString().left(6),
             QString("online"));
    d->state_box()->setCurrentIndex(0);
    QTRY_COMPARE_WITH_TIMEOUT(d->model()->total(), kLamps, kWait);
  }

  void the_readings_column_counts_what_the_node_counts() {
    DevicesView* d = window_->devices();
    QTRY_COMPARE_WITH_TIMEOUT(d->model()->total(), kLamps, kWait);
    auto readings = [&](int row) {
      return d->model()->data(d->model()->index(row, DevicePageModel::kReadings)).toULongLong();
    };
    QTRY_VERIFY_WITH_TIMEOUT(d->model()->device_at(2) != nullptr, kWait);
    const auto metrics = static_cast<quint64>(d->model()->device_at(2)->last_readings_size());
    QVERIFY(metrics > 0);
    // The selected device's row says what its header says, and both go on counting past
    // one frame's metrics (each lamp reports every 500 ms).
    d->select_device("v0-lamp-000003");
    QTRY_VERIFY_WITH_TIMEOUT(
        readings(2) > 2 * metrics &&
            d->detail_text().contains(QString(", %1 readings,").arg(readings(2))),
        kWait);
    // The other shown rows follow when their page is fetched again.
    const quint64 before = readings(5);
    QTRY_VERIFY_WITH_TIMEOUT((d->refresh_shown_rows(), readings(5) > before), kWait);
  }

  void a_signed_command_changes_the_lamps_next_readings() {
    DevicesView* d = window_->devices();
    d->select_device("v0-lamp-000007");
    QTRY_VERIFY_WITH_TIMEOUT(d->chart()->points("dim") > 0, kWait);
    QVERIFY(d->set_owner_key_file(node_->owner_key_path()));
    QSignalSpy answered(d, &DevicesView::command_answered);
    CommandRequest req;
    req.action = v1::ACTION_DIM;
    req.dim_level = 37;
    d->send_command(req);
    QTRY_VERIFY_WITH_TIMEOUT(!answered.isEmpty(), kWait);
    QVERIFY2(answered.first()[0].toBool(), qPrintable(d->command_answer()));
    QVERIFY(d->command_answer().startsWith("accepted"));
    QTRY_COMPARE_WITH_TIMEOUT(d->chart()->latest("dim").value_or(-1), 37.0, kWait);
  }

  void a_command_signed_by_someone_else_is_refused_with_the_reason() {
    DevicesView* d = window_->devices();
    QTemporaryDir dir;
    const QString stranger = dir.filePath("stranger.pem");
    QVERIFY(crypto::Ed25519PrivateKey::generate()->save_pem_file(stranger.toStdString()).ok());
    QVERIFY(d->set_owner_key_file(stranger));
    QSignalSpy answered(d, &DevicesView::command_answered);
    CommandRequest req;
    req.action = v1::ACTION_OFF;
    d->send_command(req);
    QTRY_VERIFY_WITH_TIMEOUT(!answered.isEmpty(), kWait);
    QCOMPARE(answered.first()[0].toBool(), false);
    QVERIFY2(d->command_answer().startsWith("refused: ") && d->command_answer().size() > 12,
             qPrintable(d->command_answer()));
    QVERIFY(!d->set_owner_key_file(dir.filePath("none.pem")));
    QVERIFY(d->command_answer().contains("none.pem"));
  }

  void verifies_a_blocks_certificate_and_a_transactions_inclusion_locally() {
    // A transfer to have a block with a transaction in it.
    auto& net = node_->network();
    const auto reply = net.submit(0, net.transfer(0, 1, 25, 1));
    QVERIFY2(reply.status == 200, reply.body.constData());
    const std::uint64_t height = reply.json["height"].toString().toULongLong();
    QVERIFY(height > 0);

    LedgerView* l = window_->ledger();
    l->refresh_head();
    QTRY_VERIFY_WITH_TIMEOUT(l->model()->head() >= height, kWait);
    QSignalSpy opened(l, &LedgerView::block_opened);
    l->open_block(height);
    QTRY_VERIFY_WITH_TIMEOUT(!opened.isEmpty(), kWait);
    QVERIFY(l->current_block()->transactions_size() >= 1);

    QVERIFY(l->verify_current_certificate().text.contains("genesis file first"));
    QVERIFY(l->set_genesis_file(node_->genesis_path()));
    Verdict v = l->verify_current_certificate();
    QVERIFY2(v.valid, qPrintable(v.text));
    QCOMPARE(l->verdict_text(), v.text);
    v = l->verify_current_transaction(0);
    QVERIFY2(v.valid, qPrintable(v.text));

    // Another network's genesis: the same block's certificate does not count there.
    StudioNode stranger(0);
    QVERIFY(l->set_genesis_file(stranger.genesis_path()));
    v = l->verify_current_certificate();
    QVERIFY(!v.valid);
    QVERIFY2(v.text.startsWith("INVALID"), qPrintable(v.text));
  }

  void a_wrong_url_or_refused_token_gets_a_clear_message() {
    ConnectionDialog dialog;
    QSignalSpy tested(&dialog, &ConnectionDialog::tested);
    dialog.urls_edit()->setPlainText("127.0.0.1:8740");
    dialog.token_edit()->setText("x");
    dialog.test();
    QVERIFY(dialog.test_result().contains("line 1") && dialog.test_result().contains("http://"));

    const QUrl nobody(QString("http://127.0.0.1:%1").arg(itc::testing::free_port()));
    dialog.urls_edit()->setPlainText(node_->url().toString() + "\n" + nobody.toString());
    dialog.token_edit()->setText("not-the-token");
    tested.clear();
    dialog.test();
    QTRY_VERIFY_WITH_TIMEOUT(!tested.isEmpty(), kWait);
    QCOMPARE(tested.first()[0].toBool(), false);
    QVERIFY2(dialog.test_result().contains("refused the admin token (HTTP 401)"),
             qPrintable(dialog.test_result()));
    QVERIFY2(dialog.test_result().contains("connection refused"), qPrintable(dialog.test_result()));
    QVERIFY(!dialog.test_result().contains("not-the-token"));

    dialog.token_edit()->setText(QString::fromUtf8(node_->endpoint().token));
    dialog.urls_edit()->setPlainText(node_->url().toString());
    tested.clear();
    dialog.test();
    QTRY_VERIFY_WITH_TIMEOUT(!tested.isEmpty(), kWait);
    QVERIFY2(tested.first()[0].toBool(), qPrintable(dialog.test_result()));
    QVERIFY(dialog.test_result().contains("validator-0"));
  }

  void a_node_that_goes_away_is_reported_and_reconnected() {
    QTRY_VERIFY_WITH_TIMEOUT(window_->session()->node(0).live, kWait);
    node_->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!window_->session()->node(0).live, kWait);
    QTRY_VERIFY_WITH_TIMEOUT(window_->connection_status().contains("reconnecting in"), kWait);
    const QString status = window_->connection_status();
    QVERIFY2(status.contains("went away") || status.contains("connection refused") ||
                 status.contains("ended the event stream"),
             qPrintable(status));
    NodeTableModel* m = window_->dashboard()->model();
    QVERIFY(m->data(m->index(0, NodeTableModel::kHealth)).toString().contains("reconnecting"));
    node_->network().start(0);
    QTRY_VERIFY_WITH_TIMEOUT(window_->session()->node(0).live, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(m->data(m->index(0, NodeTableModel::kHealth)).toString(),
                              QString("healthy"), kWait);
  }

 private:
  std::unique_ptr<StudioNode> node_;
  std::unique_ptr<ConnectionStore> store_;
  std::unique_ptr<MainWindow> window_;
};

QTEST_MAIN(StudioWidgetsTest)
#include "studio_widgets_test.moc"
