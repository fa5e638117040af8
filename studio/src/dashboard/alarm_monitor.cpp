#include "dashboard/alarm_monitor.hpp"

#include <QLocale>

namespace itc::studio {

AlarmMonitor::AlarmMonitor(NetworkSession* session, QObject* parent)
    : QObject(parent),
      session_(session),
      memory_(static_cast<std::size_t>(session->node_count())),
      metrics_(static_cast<std::size_t>(session->node_count())),
      started_ms_(QDateTime::currentMSecsSinceEpoch()) {
  connect(session, &NetworkSession::node_changed, this, &AlarmMonitor::evaluate);
  tick_.setInterval(1000);
  connect(&tick_, &QTimer::timeout, this, &AlarmMonitor::evaluate);
  tick_.start();
  metrics_poll_.setInterval(kMetricsPollMs);
  connect(&metrics_poll_, &QTimer::timeout, this, &AlarmMonitor::read_metrics);
  metrics_poll_.start();
}

std::vector<Alarm> AlarmMonitor::active() const {
  std::vector<Alarm> out(active_.begin(), active_.end());
  std::sort(out.begin(), out.end(), [](const Alarm& a, const Alarm& b) {
    return a.since != b.since ? a.since < b.since : a.key < b.key;
  });
  return out;
}

void AlarmMonitor::raise(QHash<QString, Alarm>& next, const QString& key, const QString& text,
                         Health sev, const QDateTime& since) {
  auto it = active_.constFind(key);
  const QDateTime first = it != active_.constEnd() ? it->since
                          : since.isValid()        ? since
                                                   : QDateTime::currentDateTime();
  next.insert(key, {key, text, sev, first});
}

void AlarmMonitor::evaluate() {
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  const int n = session_->node_count();
  QHash<QString, Alarm> next;
  std::uint64_t devices = 0, offline = 0;
  for (int i = 0; i < n; ++i) {
    const NodeLink& link = session_->node(i);
    NodeMemory& mem = memory_[static_cast<std::size_t>(i)];
    const QString name = session_->node_name(i);
    mem.was_live = mem.was_live || link.live;
    if (!link.live) {
      metrics_[static_cast<std::size_t>(i)] = NodeMetrics{};  // read afresh when it is back
      if (mem.was_live || now - started_ms_ > kStartGraceMs) {
        raise(next, "down/" + name, QString("%1 is down: %2").arg(name, link.status), Health::kBad);
      }
      continue;
    }
    if (link.stats_at_ms == 0) continue;
    if (now - link.stats_at_ms > kSummaryStaleMs) {
      raise(next, "silent/" + name,
            QString("%1 sends no stats (last %2 s ago)")
                .arg(name)
                .arg((now - link.stats_at_ms) / 1000),
            Health::kBad);
      continue;
    }
    const v1::NodeStats& s = link.stats;
    if (mem.views.empty() || mem.views.back().second != s.view())
      mem.views.emplace_back(now, s.view());
    while (!mem.views.empty() && now - mem.views.front().first > kStormWindowS * 1000) {
      mem.views.pop_front();
    }
    if (mem.views.size() > 1) {
      const std::uint64_t changes = mem.views.back().second - mem.views.front().second;
      if (changes >= kStormViews) {
        raise(next, "storm/" + name,
              QString("view-change storm on %1: %2 view changes in %3 s, now view %4")
                  .arg(name)
                  .arg(changes)
                  .arg(kStormWindowS)
                  .arg(s.view()),
              Health::kWarning);
      }
    }
    if (n > 1 && s.peers() + 1 < static_cast<std::uint32_t>(n)) {
      raise(next, "peers/" + name,
            QString("%1 sees %2 of its %3 peers").arg(name).arg(s.peers()).arg(n - 1),
            Health::kWarning);
    }
    const NodeMetrics& m = metrics_[static_cast<std::size_t>(i)];
    if (!m.read && !mem.metrics_asked) read_metrics_of(i);  // first time live: read at once
    if (m.divergences > 0) {
      raise(next, "divergence/" + name,
            QString("%1 detected %2 state divergences").arg(name).arg(m.divergences), Health::kBad);
    }
    if (m.disk_known && m.disk_level != DiskLevel::kOk) {
      const bool refuse = m.disk_level == DiskLevel::kRefuse;
      raise(next, QString(refuse ? "disk-refuse/" : "disk-warn/") + name, disk_sentence(name, m),
            refuse ? Health::kBad : Health::kWarning, m.disk_level_since);
    }
    if (s.plugins_failed() > 0) {
      raise(next, "plugins/" + name,
            QString("%1 has %2 failed plugins").arg(name).arg(s.plugins_failed()), Health::kBad);
    }
    devices += s.devices_online() + s.devices_stale() + s.devices_offline() + s.devices_fault();
    offline += s.devices_offline();
  }
  if (devices > 0 && static_cast<double>(offline) > kOfflineRatio * static_cast<double>(devices)) {
    raise(next, "fleet",
          QString("%1 % of the fleet is offline (%2 of %3 devices)")
              .arg(QLocale().toString(
                  100.0 * static_cast<double>(offline) / static_cast<double>(devices), 'f', 0))
              .arg(offline)
              .arg(devices),
          Health::kBad);
  }
  const bool differ = next.size() != active_.size() ||
                      std::any_of(next.begin(), next.end(), [this](const Alarm& a) {
                        auto it = active_.constFind(a.key);
                        return it == active_.constEnd() || it->text != a.text;
                      });
  active_ = std::move(next);
  if (differ) emit changed();
}

void AlarmMonitor::read_metrics() {
  for (int i = 0; i < session_->node_count(); ++i) {
    if (session_->node(i).live) read_metrics_of(i);
  }
}

void AlarmMonitor::read_metrics_of(int i) {
  memory_[static_cast<std::size_t>(i)].metrics_asked = true;
  session_->client(i)->get("/metrics", this, [this, i](const AdminReply& r) {
    memory_[static_cast<std::size_t>(i)].metrics_asked = false;
    NodeMetrics& m = metrics_[static_cast<std::size_t>(i)];
    if (!r.ok()) {
      m.read = true;  // tried: the poll tries again in kMetricsPollMs, not every evaluate
      return;
    }
    m = read_node_metrics(r.body, m, QDateTime::currentDateTime());
    evaluate();
  });
}

}  // namespace itc::studio
