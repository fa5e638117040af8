// PluginsView: the plugin manager. Lists every plugin per node and runs the lifecycle
// calls — load a signed package, hot-swap to a new version, roll back to the package it
// ran before, unload — each with progress and the node's answer (a refused package shows
// the node's reason). A package is read locally first: its vendor key and signature show
// before anything is sent.
// Thread safety: GUI thread only.
#pragma once

#include <QWidget>

#include "plugins/plugin_table_model.hpp"
#include "session/network_session.hpp"

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableView;

namespace itc::studio {

class PluginsView : public QWidget {
  Q_OBJECT

 public:
  explicit PluginsView(NetworkSession* session, QWidget* parent = nullptr);

  PluginTableModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  // The node's answer to the last lifecycle call, in words.
  QString last_answer() const;
  bool busy() const { return pending_ > 0; }

  void refresh();
  // The calls behind the buttons, without their file and confirmation dialogs.
  void load_package(int node, const QString& package_path);
  void swap_plugin(int row, const QString& package_path);
  void roll_back(int row);
  void unload_plugin(int row);

 signals:
  void answered(bool ok, const QString& answer);

 private:
  // Shows `what` as under way and returns the handler of the node's answer to it: a
  // refusal, or the plugin's new status (`on_success` runs first if the node accepted).
  NodeApi::Done<v1::PluginStatus> lifecycle_answer(int node, const QString& what,
                                                   std::function<void()> on_success = {});
  void report(bool ok, const QString& text);
  int selected_row() const;
  int selected_node() const;
  void on_load_clicked();
  void on_swap_clicked();

  NetworkSession* session_;
  PluginTableModel* model_;
  QTableView* table_;
  QLabel* answer_;
  QProgressBar* progress_;
  QPlainTextEdit* log_;
  int pending_ = 0;
};

}  // namespace itc::studio
