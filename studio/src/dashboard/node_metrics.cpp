#include "dashboard/node_metrics.hpp"

#include <QLocale>
#include <cmath>

#include "dashboard/axis_scale.hpp"

namespace itc::studio {

double prometheus_value(const QByteArray& text, const QByteArray& family) {
  double sum = 0;
  bool found = false;
  for (const QByteArray& line : text.split('\n')) {
    if (!line.startsWith(family)) continue;
    const QByteArray rest = line.mid(family.size());
    if (!rest.startsWith(' ') && !rest.startsWith('{')) continue;
    const qsizetype space = rest.lastIndexOf(' ');
    bool ok = false;
    const double v = rest.mid(space + 1).trimmed().toDouble(&ok);
    if (ok) {
      sum += v;
      found = true;
    }
  }
  return found ? sum : -1;
}

NodeMetrics read_node_metrics(const QByteArray& text, const NodeMetrics& before,
                              const QDateTime& now) {
  NodeMetrics m;
  m.read = true;
  m.divergences = std::max(0.0, prometheus_value(text, "itc_divergences"));
  const double refuse = prometheus_value(text, "itc_disk_watermark{level=\"refuse\"}");
  const double warn = prometheus_value(text, "itc_disk_watermark{level=\"warn\"}");
  m.disk_free_bytes = prometheus_value(text, "itc_disk_free_bytes");
  m.disk_size_bytes = prometheus_value(text, "itc_disk_size_bytes");
  m.disk_known = refuse >= 0 && warn >= 0 && m.disk_free_bytes >= 0 && m.disk_size_bytes > 0;
  if (!m.disk_known) return m;
  m.disk_level = refuse > 0 ? DiskLevel::kRefuse : warn > 0 ? DiskLevel::kWarn : DiskLevel::kOk;
  m.disk_level_since =
      before.disk_known && before.disk_level == m.disk_level ? before.disk_level_since : now;
  return m;
}

QString byte_size(double bytes) {
  return std::abs(bytes) < 1000 ? si_number(bytes) + " B" : si_number(bytes) + "B";
}

QString disk_sentence(const QString& node, const NodeMetrics& m) {
  const QString figures =
      QString("%1: %2 free of %3 (%4 %)")
          .arg(node, byte_size(m.disk_free_bytes), byte_size(m.disk_size_bytes),
               QLocale().toString(100 * m.disk_free_bytes / m.disk_size_bytes, 'f', 1));
  switch (m.disk_level) {
    case DiskLevel::kRefuse:
      return figures + ", below the refuse watermark: refuses new work";
    case DiskLevel::kWarn:
      return figures + ", below the warn watermark";
    case DiskLevel::kOk:
      break;
  }
  return figures;
}

}  // namespace itc::studio
