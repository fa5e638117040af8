#include "app/app_icon.hpp"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace itc::studio {

namespace {
QPixmap draw(int size) {
  QPixmap p(size, size);
  p.fill(Qt::transparent);
  QPainter g(&p);
  g.setRenderHint(QPainter::Antialiasing);
  const double s = size;
  QPainterPath tile;
  tile.addRoundedRect(QRectF(0, 0, s, s), s * 0.18, s * 0.18);
  g.fillPath(tile, QColor(0x0b, 0x4f, 0x7c));
  // Three blocks, each linked to the next.
  const double b = s * 0.22;
  const QPointF centres[] = {{s * 0.25, s * 0.68}, {s * 0.5, s * 0.32}, {s * 0.75, s * 0.68}};
  QPen link(QColor(0xe6, 0x9f, 0x00), std::max(1.0, s * 0.06));
  g.setPen(link);
  g.drawLine(centres[0], centres[1]);
  g.drawLine(centres[1], centres[2]);
  g.setPen(Qt::NoPen);
  g.setBrush(Qt::white);
  for (const QPointF& c : centres) {
    g.drawRoundedRect(QRectF(c.x() - b / 2, c.y() - b / 2, b, b), b * 0.2, b * 0.2);
  }
  return p;
}
}  // namespace

QIcon app_icon() {
  QIcon icon;
  for (int size : {16, 24, 32, 48, 64, 128, 256}) icon.addPixmap(draw(size));
  return icon;
}

}  // namespace itc::studio
