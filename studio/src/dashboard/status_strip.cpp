#include "dashboard/status_strip.hpp"

#include <QHBoxLayout>
#include <QLabel>

namespace itc::studio {

StatusStrip::StatusStrip(QWidget* parent) : QFrame(parent) {
  setObjectName("statusStrip");
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(6);
}

void StatusStrip::show_summary(const std::vector<SummaryItem>& items) {
  auto* layout = static_cast<QHBoxLayout*>(this->layout());
  for (const SummaryItem& it : items) {
    QLabel*& tile = tiles_[it.key];
    if (!tile) {
      tile = new QLabel(this);
      tile->setObjectName("summary_" + it.key);
      tile->setTextFormat(Qt::RichText);
      layout->addWidget(tile, it.key == "devices"                    ? 3
                              : it.key == "view" || it.key == "disk" ? 2
                                                                     : 1);
    }
    // Restyling a tile costs a style pass: only when it changed.
    if (auto old = items_.constFind(it.key); old != items_.constEnd() && old->label == it.label &&
                                             old->value == it.value && old->health == it.health &&
                                             old->detail == it.detail) {
      continue;
    }
    items_[it.key] = it;
    const QColor c = health_color(it.health, palette());
    tile->setStyleSheet(
        QString("QLabel { border-left: 4px solid %1; padding: 2px 6px; }").arg(c.name()));
    tile->setText(QString("<span style='font-size:small'>%1</span><br>"
                          "<span style='color:%2'>%3</span> <b>%4</b>")
                      .arg(it.label.toHtmlEscaped(), c.name(), health_symbol(it.health),
                           it.value.toHtmlEscaped()));
    tile->setToolTip(it.detail);
  }
}

}  // namespace itc::studio
