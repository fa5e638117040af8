#include "dashboard/network_summary.hpp"

#include <QLocale>
#include <algorithm>
#include <map>

namespace itc::studio {

namespace {

QString number(qulonglong v) {
  QLocale locale;
  locale.setNumberOptions(locale.numberOptions() & ~QLocale::OmitGroupSeparator);
  return locale.toString(v);
}

QString duration_ms(double ms) {
  if (ms >= 1000) return QLocale().toString(ms / 1000, 'f', ms >= 10000 ? 0 : 1) + " s";
  return QLocale().toString(ms, 'f', 0) + " ms";
}

}  // namespace

int fault_tolerance(int n) { return n > 0 ? (n - 1) / 3 : 0; }

bool node_up(const NodeLink& n, qint64 now_ms) {
  return n.live && n.stats_at_ms != 0 && now_ms - n.stats_at_ms <= kSummaryStaleMs;
}

namespace {

// The disk tile: which nodes up are below a watermark, or the least free space of them.
SummaryItem disk_item(const NetworkSession& session, qint64 now_ms,
                      const std::vector<NodeMetrics>& metrics) {
  QStringList lines, refusing, low;
  double least_free = -1;
  for (int i = 0; i < session.node_count() && i < static_cast<int>(metrics.size()); ++i) {
    const NodeMetrics& m = metrics[static_cast<std::size_t>(i)];
    if (!node_up(session.node(i), now_ms) || !m.disk_known) continue;
    const QString name = session.node_name(i);
    lines << disk_sentence(name, m);
    if (m.disk_level == DiskLevel::kRefuse) refusing << name;
    if (m.disk_level == DiskLevel::kWarn) low << name;
    if (least_free < 0 || m.disk_free_bytes < least_free) least_free = m.disk_free_bytes;
  }
  SummaryItem item{"disk", "Disk", QString::fromUtf8("—"),
                   "no node up has reported its disk yet (itc_disk_* on /metrics, read every "
                   "5 s; absent when node.disk is disabled)",
                   Health::kUnknown};
  if (lines.isEmpty()) return item;
  item.detail = lines.join("\n");
  if (!refusing.isEmpty()) {
    item.value = refusing.size() == 1 ? refusing.front() + " refuses work"
                                      : QString("%1 nodes refuse work").arg(refusing.size());
    item.health = Health::kBad;
  } else if (!low.isEmpty()) {
    item.value = low.size() == 1 ? low.front() + " low" : QString("%1 nodes low").arg(low.size());
    item.health = Health::kWarning;
  } else {
    item.value = byte_size(least_free) + " free";
    item.health = Health::kGood;
  }
  return item;
}

}  // namespace

std::vector<SummaryItem> summarize(const NetworkSession& session, qint64 now_ms,
                                   const std::vector<NodeMetrics>& metrics) {
  const int n = session.node_count();
  const int f = fault_tolerance(n);
  int up = 0;
  std::uint64_t view = 0, height = 0, height_min = UINT64_MAX;
  QString primary;
  double latency = 0;
  std::uint64_t online = 0, stale = 0, offline = 0, fault = 0, failed = 0;
  QStringList down;
  std::map<std::uint64_t, int> views;  // view -> nodes up in it
  for (int i = 0; i < n; ++i) {
    const NodeLink& node = session.node(i);
    if (!node_up(node, now_ms)) {
      down << session.node_name(i);
      continue;
    }
    ++up;
    const v1::NodeStats& s = node.stats;
    ++views[s.view()];
    height = std::max<std::uint64_t>(height, s.height());
    height_min = std::min<std::uint64_t>(height_min, s.height());
    latency = std::max(latency, s.commit_latency_ms());
    online += s.devices_online();
    stale += s.devices_stale();
    offline += s.devices_offline();
    fault += s.devices_fault();
    failed += s.plugins_failed();
  }
  // The network's view: the one most nodes up are in (a lone node that started a view
  // change is not the network), the higher on a tie; its primary is the node saying so.
  int in_view = 0;
  for (const auto& [v, count] : views) {
    if (count >= in_view) {
      view = v;
      in_view = count;
    }
  }
  for (int i = 0; i < n; ++i) {
    const NodeLink& node = session.node(i);
    if (node_up(node, now_ms) && node.stats.view() == view && node.stats.primary()) {
      primary = session.node_name(i);
    }
  }
  std::vector<SummaryItem> out;
  const int left = f - (n - up);
  out.push_back({"validators", "Validators", QString("%1 of %2 up").arg(up).arg(n),
                 down.isEmpty() ? "every node's event stream is live with fresh stats"
                                : "down or silent: " + down.join(", "),
                 n == 0        ? Health::kUnknown
                 : up == n     ? Health::kGood
                 : up >= n - f ? Health::kWarning
                               : Health::kBad});
  out.push_back(
      {"tolerance", "Fault tolerance",
       left >= 0 ? QString("f = %1, %2 left").arg(f).arg(left)
                 : QString("f = %1, quorum lost").arg(f),
       QString("n = %1 validators survive f = (n − 1) / 3 = %2 faulty ones").arg(n).arg(f),
       up == 0     ? Health::kUnknown
       : left == f ? Health::kGood
       : left >= 0 ? Health::kWarning
                   : Health::kBad});
  out.push_back(
      {"view", "View",
       up == 0
           ? QString("—")
           : QString("%1, primary %2").arg(number(view), primary.isEmpty() ? "unknown" : primary),
       "the view most nodes up are in, and the node that says it is its primary",
       up == 0             ? Health::kUnknown
       : primary.isEmpty() ? Health::kWarning
                           : Health::kGood});
  out.push_back({"height", "Height", up == 0 ? QString("—") : number(height),
                 up == 0 ? QString()
                         : QString("highest %1, lowest %2 of the nodes up")
                               .arg(number(height), number(height_min)),
                 up == 0                    ? Health::kUnknown
                 : height - height_min > 10 ? Health::kWarning
                                            : Health::kGood});
  out.push_back({"finality", "Finality", up == 0 ? QString("—") : duration_ms(latency),
                 "commit latency of the last block, the worst of the nodes up",
                 up == 0           ? Health::kUnknown
                 : latency > 10000 ? Health::kBad
                 : latency > 2000  ? Health::kWarning
                                   : Health::kGood});
  const std::uint64_t devices = online + stale + offline + fault;
  out.push_back({"devices", "Devices",
                 up == 0 ? QString("—")
                         : QString("%1 online · %2 stale · %3 offline · %4 fault")
                               .arg(number(online), number(stale), number(offline), number(fault)),
                 QString("%1 devices on the nodes up").arg(number(devices)),
                 up == 0 || devices == 0                          ? Health::kUnknown
                 : offline * 10 > devices || fault * 10 > devices ? Health::kBad
                 : stale + offline + fault > 0                    ? Health::kWarning
                                                                  : Health::kGood});
  out.push_back({"plugins", "Plugins failed", up == 0 ? QString("—") : number(failed),
                 "plugins in state FAILED on the nodes up (Plugins view says why)",
                 up == 0      ? Health::kUnknown
                 : failed > 0 ? Health::kBad
                              : Health::kGood});
  out.push_back(disk_item(session, now_ms, metrics));
  return out;
}

}  // namespace itc::studio
