#include "plugins/plugin_table_model.hpp"

namespace itc::studio {

QString PluginTableModel::state_name(v1::LifecycleState s) {
  switch (s) {
    case v1::DISCOVERED:
      return "discovered";
    case v1::LOADED:
      return "loaded";
    case v1::INITIALISED:
      return "initialised";
    case v1::RUNNING:
      return "running";
    case v1::DRAINING:
      return "draining";
    case v1::STOPPED:
      return "stopped";
    case v1::UNLOADED:
      return "unloaded";
    case v1::FAILED:
      return "failed";
    default:
      return "unknown";
  }
}

Health PluginTableModel::state_health(v1::LifecycleState s) {
  if (s == v1::RUNNING) return Health::kGood;
  if (s == v1::FAILED) return Health::kBad;
  return Health::kWarning;
}

void PluginTableModel::set_plugins(int node, const QString& node_name, const v1::PluginList& list) {
  beginResetModel();
  std::erase_if(rows_, [node](const Row& r) { return r.node == node; });
  for (const v1::PluginStatus& p : list.plugins()) rows_.push_back({node, node_name, p});
  std::stable_sort(rows_.begin(), rows_.end(),
                   [](const Row& a, const Row& b) { return a.node < b.node; });
  endResetModel();
}

int PluginTableModel::find(int node, const QString& plugin) const {
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].node == node && QString::fromStdString(rows_[i].status.name()) == plugin) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

void PluginTableModel::update_plugin(int node, const QString& node_name,
                                     const v1::PluginStatus& status) {
  const int at = find(node, QString::fromStdString(status.name()));
  if (at >= 0) {
    rows_[static_cast<std::size_t>(at)].status = status;
    emit dataChanged(index(at, 0), index(at, kCount - 1));
    return;
  }
  beginInsertRows({}, rowCount(), rowCount());
  rows_.push_back({node, node_name, status});
  endInsertRows();
}

void PluginTableModel::remember_previous_source(int node, const QString& plugin,
                                                const QString& source) {
  previous_[{node, plugin}] = source;
}

QString PluginTableModel::previous_source(int node, const QString& plugin) const {
  return previous_.value({node, plugin});
}

int PluginTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int PluginTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kCount;
}

QVariant PluginTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const Row& r = rows_[static_cast<std::size_t>(index.row())];
  const v1::PluginStatus& p = r.status;
  if (role == kHealthRole && index.column() == kState)
    return static_cast<int>(state_health(p.state()));
  if (role == Qt::ToolTipRole && (index.column() == kReason || index.column() == kSource)) {
    return QString::fromStdString(index.column() == kReason ? p.reason() : p.source());
  }
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case kNode:
      return r.node_name;
    case kName:
      return QString::fromStdString(p.name());
    case kLayer:
      return QString::fromStdString(p.layer());
    case kVersion:
      return QString::fromStdString(p.version());
    case kState:
      return state_name(p.state());
    case kReason:
      return QString::fromStdString(p.reason());
    case kSource:
      return QString::fromStdString(p.source());
    case kSigner:
      return QString::fromStdString(p.signed_by()).left(16);
    case kSwaps:
      return p.swaps();
  }
  return {};
}

QVariant PluginTableModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* names[kCount] = {"Node",   "Plugin", "Layer",  "Version", "State",
                                      "Reason", "Source", "Signer", "Swaps"};
  return section >= 0 && section < kCount ? names[section] : QVariant();
}

}  // namespace itc::studio
