#include "dashboard/node_table_model.hpp"

#include <QDateTime>

namespace itc::studio {

NodeTableModel::NodeTableModel(NetworkSession* session, QObject* parent)
    : QAbstractTableModel(parent), session_(session) {
  connect(session, &NetworkSession::node_changed, this,
          [this](int row) { emit dataChanged(index(row, 0), index(row, kCount - 1)); });
}

int NodeTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : session_->node_count();
}

int NodeTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kCount;
}

QString NodeTableModel::health(const NodeLink& n) const {
  if (!n.live) return n.status;
  if (n.stats_at_ms == 0) return "live (no stats yet)";
  const qint64 age = QDateTime::currentMSecsSinceEpoch() - n.stats_at_ms;
  if (age > kStaleStatsMs) return QString("live, no stats for %1 s").arg(age / 1000);
  if (n.stats.plugins_failed() > 0) return "degraded: plugins failed";
  return "healthy";
}

QVariant NodeTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const NodeLink& n = session_->node(index.row());
  const bool has_stats = n.stats_at_ms != 0;
  if (role == kHealthRole && index.column() == kHealth) {
    const QString h = health(n);
    if (h == "healthy") return static_cast<int>(Health::kGood);
    return static_cast<int>(n.live ? Health::kWarning : Health::kBad);
  }
  if (role == Qt::ToolTipRole && index.column() == kNode) {
    return n.client->endpoint().url.toString();
  }
  if (role != Qt::DisplayRole) return {};
  auto stat = [&](auto v) -> QVariant { return has_stats ? QVariant::fromValue(v) : QVariant(); };
  switch (index.column()) {
    case kNode:
      return session_->node_name(index.row());
    case kHealth:
      return health(n);
    case kRole:
      if (!has_stats) return {};
      if (n.stats.peers() == 0 && n.stats.view() == 0 && !n.stats.primary()) return "—";
      return n.stats.primary() ? "primary" : "replica";
    case kView:
      return stat(static_cast<qulonglong>(n.stats.view()));
    case kHeight:
      return stat(static_cast<qulonglong>(n.stats.height()));
    case kPeers:
      return stat(n.stats.peers());
    case kRunning:
      return stat(n.stats.plugins_running());
    case kFailed:
      return stat(n.stats.plugins_failed());
    case kVersion:
      return n.info_known ? QString::fromStdString(n.info.version()) : QVariant();
  }
  return {};
}

QVariant NodeTableModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* names[kCount] = {"Node",  "Health",  "Role",   "View",   "Height",
                                      "Peers", "Running", "Failed", "Version"};
  return section >= 0 && section < kCount ? names[section] : QVariant();
}

}  // namespace itc::studio
