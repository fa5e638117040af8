// StudioNode: one real itc-node for Studio's widget tests and benchmark — a single PBFT
// validator (a LocalNetwork of one) with a simulated lamp fleet, signed packages —
// plus what Studio needs to reach it: its admin URL and token, the genesis file and the
// lamps' owner key as a PEM file.
#pragma once

#include <QUrl>

#include "free_port.hpp"
#include "lamp_profile.hpp"
#include "local_network.hpp"
#include "node_api/admin_client.hpp"

namespace itc::testing {

class StudioNode {
 public:
  explicit StudioNode(int lamps) : net_(options(lamps)) {
    if (!net_.account(0).save_pem_file(owner_key_path().toStdString()).ok())
      qFatal("cannot write the owner key");
  }

  void start() { net_.start_all(); }
  void stop() { net_.stop(0); }
  LocalNetwork& network() { return net_; }

  // The admin URL (LocalNetwork picks the port).
  QUrl url() const { return QUrl(QString::fromStdString(net_.node(0).admin_url())); }
  studio::NodeEndpoint endpoint() const {
    return {url(), QByteArray::fromStdString(net_.token(0))};
  }
  QString genesis_path() const { return QString::fromStdString(net_.path("genesis.json")); }
  QString owner_key_path() const { return QString::fromStdString(net_.path("owner.pem")); }

 private:
  static NetworkOptions options(int lamps) {
    NetworkOptions o;
    o.validators = 1;
    o.lamps = lamps;
    return o;
  }
  LocalNetwork net_;
};

}  // namespace itc::testing
