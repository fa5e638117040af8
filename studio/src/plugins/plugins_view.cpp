#include "plugins/plugins_view.hpp"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QTime>
#include <QVBoxLayout>

#include "app/readable_table.hpp"
#include "plugins/package_info.hpp"

namespace itc::studio {

PluginsView::PluginsView(NetworkSession* session, QWidget* parent)
    : QWidget(parent), session_(session) {
  model_ = new PluginTableModel(this);
  table_ = new QTableView(this);
  table_->setObjectName("pluginTable");
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->verticalHeader()->hide();
  // Node and plugin name whole; the source package path takes what is left.
  ReadableTable::apply(table_, {PluginTableModel::kNode, PluginTableModel::kName},
                       PluginTableModel::kSource);

  auto* buttons = new QHBoxLayout;
  auto add = [&](const QString& text, const QString& tip, auto slot) {
    auto* b = new QPushButton(text, this);
    b->setToolTip(tip);
    connect(b, &QPushButton::clicked, this, slot);
    buttons->addWidget(b);
  };
  add("&Refresh", "Ask every node for its plugins", [this] { refresh(); });
  add("&Load package…", "Load a signed .itcpkg on the selected node",
      [this] { on_load_clicked(); });
  add("Hot-&swap…", "Swap the selected plugin to another package", [this] { on_swap_clicked(); });
  add("Roll &back", "Swap the selected plugin back to the package it ran before", [this] {
    if (int row = selected_row(); row >= 0) roll_back(row);
  });
  add("&Unload", "Stop and unload the selected plugin", [this] {
    const int row = selected_row();
    if (row < 0) return;
    const QString name = QString::fromStdString(model_->row_at(row).status.name());
    if (QMessageBox::question(
            this, "Unload plugin",
            QString("Unload %1 from %2?").arg(name, model_->row_at(row).node_name)) ==
        QMessageBox::Yes) {
      unload_plugin(row);
    }
  });
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 0);
  progress_->setMaximumWidth(160);
  progress_->hide();
  buttons->addStretch();
  buttons->addWidget(progress_);

  answer_ = new QLabel(this);
  answer_->setObjectName("pluginAnswer");
  answer_->setWordWrap(true);
  answer_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  log_ = new QPlainTextEdit(this);
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(500);
  log_->setMaximumHeight(120);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(buttons);
  layout->addWidget(table_, 1);
  layout->addWidget(answer_);
  layout->addWidget(log_);

  connect(session, &NetworkSession::event_received, this, [this](int node, const v1::Event& e) {
    if (e.has_plugin()) model_->update_plugin(node, session_->node_name(node), e.plugin());
  });
}

QString PluginsView::last_answer() const { return answer_->text(); }

void PluginsView::report(bool ok, const QString& text) {
  answer_->setText(text);
  answer_->setStyleSheet(ok ? "color: darkgreen" : "color: red");
  log_->appendPlainText(QTime::currentTime().toString("HH:mm:ss ") + text);
  emit answered(ok, text);
}

void PluginsView::refresh() {
  for (int i = 0; i < session_->node_count(); ++i) {
    session_->api(i).plugins(this, [this, i](const NodeAnswer<v1::PluginList>& list) {
      if (!list.ok()) {
        report(false, list.error);
        return;
      }
      model_->set_plugins(i, session_->node_name(i), *list);
    });
  }
}

int PluginsView::selected_row() const {
  const auto rows = table_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return -1;
  return rows.first().row();
}

int PluginsView::selected_node() const {
  const int row = selected_row();
  return row >= 0 ? model_->row_at(row).node : 0;
}

NodeApi::Done<v1::PluginStatus> PluginsView::lifecycle_answer(int node, const QString& what,
                                                              std::function<void()> on_success) {
  ++pending_;
  progress_->show();
  answer_->setText(what + "…");
  answer_->setStyleSheet({});
  return [this, node, what, on_success](const NodeAnswer<v1::PluginStatus>& answer) {
    if (--pending_ == 0) progress_->hide();
    if (answer.kind != AdminReply::Kind::kOk) {
      report(false, QString("%1 refused: %2").arg(what, answer.error));
      return;
    }
    if (on_success) on_success();
    if (!answer.ok()) {
      report(false, answer.error);
      return;
    }
    const v1::PluginStatus& st = *answer;
    if (st.name().empty()) {  // unloaded: the node no longer lists it
      report(true, QString("%1: done").arg(what));
      refresh();
      return;
    }
    model_->update_plugin(node, session_->node_name(node), st);
    if (st.state() == v1::UNLOADED) {
      report(true,
             QString("%1: done, %2 is unloaded").arg(what, QString::fromStdString(st.name())));
      return;
    }
    const QString signer = QString::fromStdString(st.signed_by());
    report(st.state() == v1::RUNNING,
           QString("%1: %2 %3 is %4; signed by %5 (trusted by the node)%6")
               .arg(what, QString::fromStdString(st.name()), QString::fromStdString(st.version()),
                    PluginTableModel::state_name(st.state()), signer.isEmpty() ? "-" : signer,
                    st.reason().empty() ? "" : "; " + QString::fromStdString(st.reason())));
  };
}

void PluginsView::load_package(int node, const QString& package_path) {
  const PackageInfo info = read_package(package_path);
  if (!info.readable) {
    report(false, info.error);
    return;
  }
  v1::LoadRequest req;
  req.set_name(info.manifest.name());
  req.set_package(package_path.toStdString());
  session_->api(node).load_plugin(
      req, this,
      lifecycle_answer(node, QString("loading %1 %2 on %3")
                                 .arg(QString::fromStdString(info.manifest.name()),
                                      QString::fromStdString(info.manifest.version()),
                                      session_->node_name(node))));
}

void PluginsView::swap_plugin(int row, const QString& package_path) {
  const auto& r = model_->row_at(row);
  const QString name = QString::fromStdString(r.status.name());
  const QString before = QString::fromStdString(r.status.source());
  v1::SwapRequest req;
  req.set_package(package_path.toStdString());
  session_->api(r.node).swap_plugin(
      name, req, this,
      lifecycle_answer(r.node,
                       QString("swapping %1 on %2 to %3").arg(name, r.node_name, package_path),
                       [this, node = r.node, name, before] {
                         model_->remember_previous_source(node, name, before);
                       }));
}

void PluginsView::roll_back(int row) {
  const auto& r = model_->row_at(row);
  const QString name = QString::fromStdString(r.status.name());
  const QString previous = model_->previous_source(r.node, name);
  if (previous.isEmpty()) {
    report(false, QString("no earlier package of %1 is known: Studio saw no swap of it").arg(name));
    return;
  }
  swap_plugin(row, previous);
}

void PluginsView::unload_plugin(int row) {
  const auto& r = model_->row_at(row);
  const QString name = QString::fromStdString(r.status.name());
  session_->api(r.node).unload_plugin(
      name, this, lifecycle_answer(r.node, QString("unloading %1 from %2").arg(name, r.node_name)));
}

void PluginsView::on_load_clicked() {
  const QString path = QFileDialog::getOpenFileName(this, "Load a signed plugin package", {},
                                                    "Plugin packages (*.itcpkg)");
  if (path.isEmpty()) return;
  const PackageInfo info = read_package(path);
  const int node = selected_node();
  if (QMessageBox::question(this, "Load plugin package",
                            info.describe() + "\n\nLoad it on " + session_->node_name(node) +
                                "? (the node reads the path on its own disk)") ==
      QMessageBox::Yes) {
    load_package(node, path);
  }
}

void PluginsView::on_swap_clicked() {
  const int row = selected_row();
  if (row < 0) {
    report(false, "select the plugin to swap first");
    return;
  }
  const QString path = QFileDialog::getOpenFileName(this, "Swap to package", {},
                                                    "Plugin packages (*.itcpkg);;Libraries (*.so)");
  if (path.isEmpty()) return;
  const PackageInfo info = read_package(path);
  const QString what =
      path.endsWith(".so") ? "an unsigned library (developer mode only)" : info.describe();
  if (QMessageBox::question(this, "Hot-swap plugin",
                            what + "\n\nSwap " +
                                QString::fromStdString(model_->row_at(row).status.name()) +
                                " to it?") == QMessageBox::Yes) {
    swap_plugin(row, path);
  }
}

}  // namespace itc::studio
