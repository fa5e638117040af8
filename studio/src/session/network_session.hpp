// NetworkSession: Studio's live link to one connection (a node or a network): per node an
// AdminClient (typed by NodeApi), an EventStream, the node's NodeInfo and its latest
// NodeStats. Views read
// the state from here and listen to its signals instead of polling the nodes themselves.
// Thread safety: GUI thread only.
#pragma once

#include <QObject>
#include <memory>
#include <vector>

#include "itc/v1/node.pb.h"
#include "node_api/admin_client.hpp"
#include "node_api/event_stream.hpp"
#include "node_api/node_api.hpp"
#include "session/connection_store.hpp"

namespace itc::studio {

struct NodeLink {
  AdminClient* client = nullptr;
  EventStream* events = nullptr;
  v1::NodeInfo info;  // empty until GET /v1/node answered
  bool info_known = false;
  v1::NodeStats stats;     // latest Event.stats
  qint64 stats_at_ms = 0;  // when it arrived (0: never)
  QString status;          // "live", or why not (a sentence for the user)
  bool live = false;
};

class NetworkSession : public QObject {
  Q_OBJECT

 public:
  explicit NetworkSession(Connection connection, QObject* parent = nullptr);

  const Connection& connection() const { return connection_; }
  int node_count() const { return static_cast<int>(nodes_.size()); }
  const NodeLink& node(int i) const { return nodes_[static_cast<std::size_t>(i)]; }
  AdminClient* client(int i) const { return node(i).client; }
  // Node i's admin API as typed calls (what views use).
  NodeApi api(int i) const { return NodeApi(client(i)); }
  // The name of node i (NodeInfo.name, or its URL until known).
  QString node_name(int i) const;

  // Opens the event streams and asks each node for its NodeInfo.
  void start();
  // Asks each node for NodeInfo again; node_changed(i) for each answer.
  void refresh_info();
  // Takes one event of node `index` (what its stream delivers): keeps Event.stats and
  // re-emits the event.
  void deliver(int index, const v1::Event& e);

 signals:
  void node_changed(int index);
  void event_received(int index, const itc::v1::Event& e);
  void stats_received(int index, const itc::v1::NodeStats& stats);

 private:
  Connection connection_;
  std::vector<NodeLink> nodes_;
};

}  // namespace itc::studio
