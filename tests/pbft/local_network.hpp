// LocalNetwork: n real itc-node processes on loopback, each a PBFT validator with its own
// key, data directory, peer port and admin port, loading the signed pbft and store-sqlite
// packages. Tests drive them through the admin API like an operator would, and kill,
// freeze and restart them like a bad day would.
#pragma once

#include <google/protobuf/util/json_util.h>
#include <signal.h>

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "free_port.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/transactions.hpp"
#include "itc/ledger/validators.hpp"
#include "lamp_profile.hpp"

namespace itc::testing {

inline std::string env_or(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

struct HttpReply {
  int status = 0;  // 0: no answer
  QJsonObject json;
  QByteArray body;
};

struct NetworkOptions {
  int validators = 4;
  int accounts = 4;  // funded accounts
  std::uint64_t balance = 1'000'000;
  std::uint64_t min_fee = 1;
  bool allow_unsigned_anchors = false;
  std::vector<int> byzantine;  // validator indexes the test plays itself (no process)
  std::string pbft_extra;      // appended to each pbft config (YAML flow entries)
  int lamps = 0;               // simulated lamps per validator (0: none)
};

class LocalNetwork {
 public:
  explicit LocalNetwork(NetworkOptions opt) : opt_(std::move(opt)) {
    QVERIFY2_THROW(dir_.isValid());
    if (std::getenv("ITC_TEST_KEEP")) {
      dir_.setAutoRemove(false);
      qInfo("network directory kept: %s", qPrintable(dir_.path()));
    }
    genesis_.set_chain_id("itc-test-" + std::to_string(::getpid()));
    genesis_.set_timestamp_us(1'700'000'000'000'000);
    genesis_.set_min_fee(opt_.min_fee);
    genesis_.set_allow_unsigned_anchors(opt_.allow_unsigned_anchors);
    for (int i = 0; i < opt_.validators; ++i) {
      auto key = crypto::Ed25519PrivateKey::generate();
      validator_keys_.push_back(*key);
      const std::string pem = path("validator-" + std::to_string(i) + ".pem");
      if (!key->save_pem_file(pem).ok()) qFatal("cannot write %s", pem.c_str());
      auto* v = genesis_.add_validators();
      v->set_name("validator-" + std::to_string(i));
      v->set_public_key(key->public_key());
      peer_ports_.push_back(free_port());
      admin_ports_.push_back(free_port());
      v->set_address("127.0.0.1:" + std::to_string(peer_ports_.back()));
      // Validators hold an account too (fees are paid to them).
    }
    for (int j = 0; j < opt_.accounts; ++j) {
      accounts_.push_back(*crypto::Ed25519PrivateKey::generate());
      auto* a = genesis_.add_allocations();
      a->set_account(accounts_.back().public_key());
      a->set_balance(opt_.balance);
    }
    if (!write_file_atomically(path("genesis.json"), ledger::genesis_to_json(genesis_), 0644)
             .ok()) {
      qFatal("cannot write genesis");
    }
    validators_ = *ledger::ValidatorSet::from_genesis(genesis_);
    processes_.resize(static_cast<std::size_t>(opt_.validators));
    for (int i = 0; i < opt_.validators; ++i) write_config(i);
  }

  ~LocalNetwork() {
    for (int i = 0; i < opt_.validators; ++i) stop(i);
  }

  std::string path(const std::string& name) const { return dir_.path().toStdString() + "/" + name; }
  const v1::Genesis& genesis() const { return genesis_; }
  const ledger::ValidatorSet& validators() const { return validators_; }
  const crypto::Ed25519PrivateKey& account(int j) const {
    return accounts_[static_cast<std::size_t>(j)];
  }
  const crypto::Ed25519PrivateKey& validator_key(int i) const {
    return validator_keys_[static_cast<std::size_t>(i)];
  }
  std::uint16_t peer_port(int i) const { return peer_ports_[static_cast<std::size_t>(i)]; }
  std::uint16_t admin_port(int i) const { return admin_ports_[static_cast<std::size_t>(i)]; }
  std::string token(int i) const {
    auto t = read_file(path("node-" + std::to_string(i) + "/admin.token"));
    return t.ok() ? QByteArray::fromStdString(*t).trimmed().toStdString() : "";
  }
  QString log_of(int i) const {
    auto t = read_file(path("node-" + std::to_string(i) + ".log"), kMaxDataFileBytes);
    return t.ok() ? QString::fromStdString(*t) : QString();
  }

  void start(int i) {
    auto& p = processes_[static_cast<std::size_t>(i)];
    p = std::make_unique<QProcess>();
    p->setProcessChannelMode(QProcess::MergedChannels);
    p->setStandardOutputFile(QString::fromStdString(path("node-" + std::to_string(i) + ".log")),
                             QIODevice::Append);
    p->start(ITC_NODE_BIN, {"--config", QString::fromStdString(config_path(i))});
    if (!p->waitForStarted(10000)) qFatal("itc-node %d did not start", i);
  }
  void start_all() {
    for (int i = 0; i < opt_.validators; ++i) {
      if (!is_byzantine(i)) start(i);
    }
    for (int i = 0; i < opt_.validators; ++i) {
      if (!is_byzantine(i) && !wait_healthy(i))
        qFatal("validator %d never became healthy:\n%s", i, qPrintable(log_of(i)));
    }
  }
  // Every plugin of validator i is running.
  bool wait_healthy(int i, int ms = 30000) {
    return eventually(
        [&] {
          auto r = get(i, "/v1/plugins");
          if (r.status != 200) return false;
          const auto plugins = r.json["plugins"].toArray();
          if (plugins.isEmpty()) return false;
          for (const auto& p : plugins) {
            if (p.toObject()["state"].toString() != "RUNNING") return false;
          }
          return true;
        },
        ms);
  }
  // SIGKILL: no clean shutdown at all.
  void kill(int i) {
    auto& p = processes_[static_cast<std::size_t>(i)];
    if (!p) return;
    ::kill(static_cast<pid_t>(p->processId()), SIGKILL);
    p->waitForFinished(10000);
    p.reset();
  }
  void stop(int i) {
    auto& p = processes_[static_cast<std::size_t>(i)];
    if (!p) return;
    ::kill(static_cast<pid_t>(p->processId()), SIGCONT);
    p->terminate();
    if (!p->waitForFinished(20000)) p->kill();
    p->waitForFinished(5000);
    p.reset();
  }
  // SIGTERM (a clean stop): the exit code, or -1 if it did not exit within 60 s.
  int terminate(int i) {
    auto& p = processes_[static_cast<std::size_t>(i)];
    if (!p) return -1;
    p->terminate();
    if (!p->waitForFinished(60000)) return -1;
    const int code = p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -1;
    p.reset();
    return code;
  }
  qint64 pid(int i) const { return processes_[static_cast<std::size_t>(i)]->processId(); }
  void freeze(int i) {
    ::kill(static_cast<pid_t>(processes_[static_cast<std::size_t>(i)]->processId()), SIGSTOP);
  }
  void thaw(int i) {
    ::kill(static_cast<pid_t>(processes_[static_cast<std::size_t>(i)]->processId()), SIGCONT);
  }
  bool running(int i) const { return processes_[static_cast<std::size_t>(i)] != nullptr; }

  HttpReply request(int i, const QString& method, const QString& path_and_query,
                    const QByteArray& body = {}, int timeout_ms = 40000) {
    QNetworkRequest req(QUrl(QString("http://127.0.0.1:%1%2")
                                 .arg(admin_ports_[static_cast<std::size_t>(i)])
                                 .arg(path_and_query)));
    req.setRawHeader("Authorization", QByteArray("Bearer ") + QByteArray::fromStdString(token(i)));
    req.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    QNetworkReply* reply = method == "POST" ? nam_.post(req, body) : nam_.get(req);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    timer.start(timeout_ms);
    loop.exec();
    HttpReply out;
    if (reply->isFinished()) {
      out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
      out.body = reply->readAll();
      out.json = QJsonDocument::fromJson(out.body).object();
      if (out.status == 0 && std::getenv("ITC_TEST_VERBOSE")) {
        qWarning("%s %s: %s", qPrintable(method), qPrintable(path_and_query),
                 qPrintable(reply->errorString()));
      }
    } else {
      reply->abort();
    }
    reply->deleteLater();
    return out;
  }
  HttpReply get(int i, const QString& p) { return request(i, "GET", p); }

  // A signed transfer of `amount` from account `from` to account `to`.
  v1::Transaction transfer(int from, int to, std::uint64_t amount, std::uint64_t nonce,
                           std::uint64_t fee = 1) const {
    v1::Transaction tx;
    tx.set_nonce(nonce);
    tx.set_fee(fee);
    tx.mutable_transfer()->set_to(account(to).public_key());
    tx.mutable_transfer()->set_amount(amount);
    ledger::sign_tx(genesis_.chain_id(), &tx, account(from));
    return tx;
  }
  // A signed transaction from account `from` (sender and signature set here).
  v1::Transaction signed_by(int from, v1::Transaction tx) const {
    ledger::sign_tx(genesis_.chain_id(), &tx, account(from));
    return tx;
  }
  HttpReply submit(int node, const v1::Transaction& tx) {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(tx, &json);
    return request(node, "POST", "/v1/tx", QByteArray::fromStdString(json));
  }

  std::optional<std::uint64_t> height(int i) {
    auto r = get(i, "/v1/ledger/head");
    if (r.status != 200) return std::nullopt;
    return r.json["header"].toObject()["height"].toString().toULongLong();
  }
  // The block at `height` as stored by validator i (nullopt if it has none).
  std::optional<v1::Block> block(int i, std::uint64_t h) {
    auto r = get(i, QString("/v1/ledger/blocks/%1").arg(h));
    if (r.status != 200) return std::nullopt;
    v1::Block b;
    google::protobuf::util::JsonParseOptions o;
    o.ignore_unknown_fields = true;
    if (!google::protobuf::util::JsonStringToMessage(r.body.toStdString(), &b, o).ok())
      return std::nullopt;
    return b;
  }
  std::optional<double> metric(int i, const std::string& plugin, const std::string& name) {
    auto r = get(i, "/metrics");
    if (r.status != 200) return std::nullopt;
    const std::string text = r.body.toStdString();
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("itc_", 0) != 0 || line.find("plugin=\"" + plugin + "\"") == std::string::npos)
        continue;
      auto brace = line.find('{');
      std::string metric_name = line.substr(0, brace);
      if (metric_name != "itc_" + name && metric_name != "itc_" + name + "_total") continue;
      return std::stod(line.substr(line.rfind(' ') + 1));
    }
    return std::nullopt;
  }

  static bool eventually(const std::function<bool()>& pred, int ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      QTest::qWait(100);
    }
    return pred();
  }

 private:
  // QVERIFY inside a constructor cannot return a value; fail loudly instead.
  static void QVERIFY2_THROW(bool ok) {
    if (!ok) qFatal("cannot create a temporary directory");
  }
  bool is_byzantine(int i) const {
    return std::find(opt_.byzantine.begin(), opt_.byzantine.end(), i) != opt_.byzantine.end();
  }
  std::string config_path(int i) const { return path("node-" + std::to_string(i) + ".yaml"); }
  void write_config(int i) {
    const std::string packages = env_or("ITC_PACKAGE_DIR");
    const std::string name = "validator-" + std::to_string(i);
    std::string y = "node:\n  name: " + name + "\n  data_dir: node-" + std::to_string(i) +
                    "\n  admin: {listen: 127.0.0.1:" +
                    std::to_string(admin_ports_[static_cast<std::size_t>(i)]) +
                    "}\n  trusted_vendor_keys: [" + env_or("ITC_VENDOR_KEY") + "]\n" +
                    device_profiles_yaml() + "plugins:\n";
    y += "  - name: store-sqlite\n    package: " + packages + "/store-sqlite.itcpkg\n";
    y += "  - name: pbft\n    package: " + packages +
         "/pbft.itcpkg\n    config: {genesis_file: " + path("genesis.json") +
         ", identity_key_file: " + path(name + ".pem") + ", view_change_timeout_ms: 1000" +
         opt_.pbft_extra + "}\n";
    if (opt_.lamps > 0) {
      y += "  - name: sim-lighting\n    package: " + packages +
           "/sim-lighting.itcpkg\n    config: {lamps: " + std::to_string(opt_.lamps) +
           ", report_interval_ms: 500, fleet_seed: " + name + ", id_prefix: v" + std::to_string(i) +
           "-lamp-, owner_public_key: " + crypto::to_hex(account(0).public_key()) + "}\n";
      y += "  - name: normalize\n    package: " + packages + "/normalize.itcpkg\n";
      y += "  - name: control\n    package: " + packages + "/control.itcpkg\n";
    }
    std::ofstream(config_path(i)) << y;
  }

  NetworkOptions opt_;
  QTemporaryDir dir_;
  v1::Genesis genesis_;
  ledger::ValidatorSet validators_;
  std::vector<crypto::Ed25519PrivateKey> validator_keys_;
  std::vector<crypto::Ed25519PrivateKey> accounts_;
  std::vector<std::uint16_t> peer_ports_;
  std::vector<std::uint16_t> admin_ports_;
  std::vector<std::unique_ptr<QProcess>> processes_;
  QNetworkAccessManager nam_;
};

}  // namespace itc::testing
