#include "transfer_load.hpp"

#include <google/protobuf/util/json_util.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTimer>

#include "itc/crypto.hpp"
#include "itc/ledger/transactions.hpp"

namespace itc::testing {

TransferLoad::TransferLoad(LocalNetwork& net, int lanes, std::uint32_t seed,
                           std::function<bool(int)> up)
    : net_(net), up_(std::move(up)), rng_(seed), nonce_(static_cast<std::size_t>(lanes), 0) {
  nam_.setProxy(QNetworkProxy::NoProxy);
}

TransferLoad::~TransferLoad() {
  running_ = false;
  for (QNetworkReply* r : nam_.findChildren<QNetworkReply*>()) {
    r->disconnect();  // unanswered now: not counted, nothing sent after
    r->abort();
  }
}

void TransferLoad::start() {
  running_ = true;
  for (std::size_t lane = 0; lane < nonce_.size(); ++lane) send(static_cast<int>(lane));
}

void TransferLoad::send(int lane) {
  if (!running_) return;
  const int n = net_.validators().size();
  std::vector<int> candidates;
  for (int i = 0; i < n; ++i) {
    if (up_(i)) candidates.push_back(i);
  }
  if (candidates.empty()) {
    QTimer::singleShot(50, &nam_, [this, lane] { send(lane); });
    return;
  }
  const int node = candidates[rng_() % candidates.size()];
  const int lanes = static_cast<int>(nonce_.size());
  v1::Transaction tx =
      net_.transfer(lane, (lane + 1) % lanes, 1, ++nonce_[static_cast<std::size_t>(lane)]);
  const std::string id = ledger::tx_id(tx);
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(tx, &json);
  QNetworkRequest req(QUrl(QString("http://127.0.0.1:%1/v1/tx").arg(net_.admin_port(node))));
  req.setRawHeader("Authorization", "Bearer " + QByteArray::fromStdString(net_.token(node)));
  req.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
  req.setTransferTimeout(40000);
  QNetworkReply* reply = nam_.post(req, QByteArray::fromStdString(json));
  ++in_flight_;
  QObject::connect(reply, &QNetworkReply::finished, &nam_, [this, reply, lane, id] {
    --in_flight_;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonObject result = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    if (status == 200 && result["committed"].toBool()) {
      ++counts_.committed;
      acked_[id] = result["height"].toString().toULongLong();
    } else if (status == 0) {
      ++counts_.unknown;
      undecided_.insert(id);
    } else {
      ++counts_.refused;
      QString why = result["reason"].toString();
      if (why.isEmpty()) why = result["error"].toString();
      why.replace(QRegularExpression("[0-9a-f]{16,}"), "<id>");  // one line per kind
      ++refusals_[std::to_string(status) + " " + why.left(100).toStdString()];
      if (status == 504) {
        undecided_.insert(id);
      } else {
        refused_ids_.emplace(id, std::to_string(status) + " " + why.toStdString());
      }
    }
    // A refused connection (a validator just killed) or a node still starting answers at
    // once: pace the next one.
    QTimer::singleShot(status == 200 ? 0 : 20, &nam_, [this, lane] { send(lane); });
  });
}

void TransferLoad::print_summary(const std::map<std::string, std::uint64_t>& on_chain) const {
  std::size_t undecided_on_chain = 0;
  for (const auto& id : undecided_) undecided_on_chain += on_chain.count(id);
  qInfo(
      "transfers: %llu acknowledged committed, %llu refused, %llu unanswered; of %zu whose "
      "client got no verdict, %zu are on the chain",
      static_cast<unsigned long long>(counts_.committed),
      static_cast<unsigned long long>(counts_.refused),
      static_cast<unsigned long long>(counts_.unknown), undecided_.size(), undecided_on_chain);
  for (const auto& [why, n] : refusals_) {
    qInfo("  refused %llu x: %s", static_cast<unsigned long long>(n), why.c_str());
  }
}

std::vector<std::string> TransferLoad::refused_but_committed(
    const std::map<std::string, std::uint64_t>& on_chain) const {
  std::vector<std::string> out;
  for (const auto& [id, why] : refused_ids_) {
    auto it = on_chain.find(id);
    if (it != on_chain.end()) {
      out.push_back(crypto::to_hex(id).substr(0, 16) + " (answered " + why + ") is in block " +
                    std::to_string(it->second));
    }
  }
  return out;
}

}  // namespace itc::testing
