#include "session/network_session.hpp"

#include <QDateTime>

namespace itc::studio {

NetworkSession::NetworkSession(Connection connection, QObject* parent)
    : QObject(parent), connection_(std::move(connection)) {
  for (std::size_t i = 0; i < connection_.nodes.size(); ++i) {
    NodeLink link;
    link.client = new AdminClient(connection_.nodes[i], this);
    link.events = new EventStream(link.client, this);
    link.status = "not connected";
    const int index = static_cast<int>(i);
    connect(link.events, &EventStream::event, this,
            [this, index](const v1::Event& e) { deliver(index, e); });
    connect(link.events, &EventStream::state_changed, this,
            [this, index](EventStream::State s, const QString& message) {
              NodeLink& n = nodes_[static_cast<std::size_t>(index)];
              n.live = s == EventStream::State::kLive;
              n.status = message;
              if (n.live) refresh_info();
              emit node_changed(index);
            });
    nodes_.push_back(link);
  }
}

QString NetworkSession::node_name(int i) const {
  const NodeLink& n = node(i);
  if (n.info_known && !n.info.name().empty()) return QString::fromStdString(n.info.name());
  return n.client->endpoint().url.toString();
}

void NetworkSession::start() {
  for (NodeLink& n : nodes_) n.events->start();
  refresh_info();
}

void NetworkSession::refresh_info() {
  for (int i = 0; i < node_count(); ++i) {
    api(i).node_info(this, [this, i](const NodeAnswer<v1::NodeInfo>& a) {
      NodeLink& n = nodes_[static_cast<std::size_t>(i)];
      if (a.ok()) {
        n.info = *a;
        n.info_known = true;
      } else {
        n.status = a.error;
      }
      emit node_changed(i);
    });
  }
}

void NetworkSession::deliver(int index, const v1::Event& e) {
  NodeLink& n = nodes_[static_cast<std::size_t>(index)];
  if (e.has_stats()) {
    n.stats = e.stats();
    n.stats_at_ms = QDateTime::currentMSecsSinceEpoch();
    emit stats_received(index, e.stats());
    emit node_changed(index);
  }
  emit event_received(index, e);
}

}  // namespace itc::studio
