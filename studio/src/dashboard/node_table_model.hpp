// NodeTableModel: one row per node of a NetworkSession — health, role, view, height, peers,
// plugins running and failed — updated from the session's signals (Event.stats), not polled.
// Thread safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>

#include "app/health_state.hpp"
#include "session/network_session.hpp"

namespace itc::studio {

class NodeTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    kNode,
    kHealth,
    kRole,
    kView,
    kHeight,
    kPeers,
    kRunning,
    kFailed,
    kVersion,
    kCount
  };

  explicit NodeTableModel(NetworkSession* session, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

  // Stats older than this make a live node "no stats for N s". Default: 3000 ms.
  static constexpr qint64 kStaleStatsMs = 3000;

 private:
  QString health(const NodeLink& n) const;
  NetworkSession* session_;
};

}  // namespace itc::studio
