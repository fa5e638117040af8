// StudioNode: one real itc-node for Studio's widget tests and benchmark — a single PBFT
// validator (tests/pbft/local_network.hpp) with a simulated lamp fleet, signed packages —
// plus what Studio needs to reach it: its admin URL and token, the genesis file and the
// lamps' owner key as a PEM file.
#pragma once

#include <QFile>
#include <QRegularExpression>

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

  // The admin URL, from the node's config (LocalNetwork picks the port).
  QUrl url() const {
    QFile f(QString::fromStdString(net_.path("node-0.yaml")));
    if (!f.open(QIODevice::ReadOnly)) qFatal("no node config");
    const auto m =
        QRegularExpression(R"(listen: (127\.0\.0\.1:\d+))").match(QString::fromUtf8(f.readAll()));
    return QUrl("http://" + m.captured(1));
  }
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
