// PluginTableModel: every plugin of every node (GET /v1/plugins), with layer, version,
// lifecycle state, failure reason, source package and signer; kept current by the nodes'
// Event.plugin. It also remembers, per node and plugin, the package a plugin ran from
// before its last swap, which is what "roll back" swaps to.
// Thread safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>
#include <QMap>

#include "app/health_state.hpp"
#include "itc/v1/node.pb.h"

namespace itc::studio {

class PluginTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kNode, kName, kLayer, kVersion, kState, kReason, kSource, kSigner, kSwaps, kCount };
  struct Row {
    int node = 0;
    QString node_name;
    v1::PluginStatus status;
  };

  using QAbstractTableModel::QAbstractTableModel;

  // Replaces node `node`'s plugins with `list`.
  void set_plugins(int node, const QString& node_name, const v1::PluginList& list);
  // One plugin changed (Event.plugin or a lifecycle call's answer); added if new.
  void update_plugin(int node, const QString& node_name, const v1::PluginStatus& status);
  // Notes that `plugin` on `node` is being swapped away from `source` (for roll back).
  void remember_previous_source(int node, const QString& plugin, const QString& source);
  // The package to roll back to, or empty if Studio saw no swap of it.
  QString previous_source(int node, const QString& plugin) const;

  const Row& row_at(int row) const { return rows_[static_cast<std::size_t>(row)]; }
  int find(int node, const QString& plugin) const;  // -1 if absent

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

  static QString state_name(v1::LifecycleState s);
  // running: fine; failed: act; any other state (loading, draining, stopped): watch.
  static Health state_health(v1::LifecycleState s);

 private:
  std::vector<Row> rows_;
  QMap<QPair<int, QString>, QString> previous_;
};

}  // namespace itc::studio
