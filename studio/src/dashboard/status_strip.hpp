// StatusStrip: the dashboard's header — one tile per NetworkSummary item (validators up,
// fault tolerance left, view and primary, height, finality, devices, plugins failed), each
// with its state as a coloured edge and a symbol (✔ ▲ ✖ ?), its details as a tooltip.
// Thread safety: GUI thread only.
#pragma once

#include <QFrame>
#include <QMap>

#include "dashboard/network_summary.hpp"

class QLabel;

namespace itc::studio {

class StatusStrip : public QFrame {
  Q_OBJECT

 public:
  explicit StatusStrip(QWidget* parent = nullptr);

  void show_summary(const std::vector<SummaryItem>& items);
  // The item shown under `key` now (empty if none).
  SummaryItem item(const QString& key) const { return items_.value(key); }

 private:
  QMap<QString, SummaryItem> items_;
  QMap<QString, QLabel*> tiles_;
};

}  // namespace itc::studio
