// The real peers of the mqtt plugin tests, all on 127.0.0.1: a mosquitto broker on a free
// port, plain libmosquitto clients, an itc-node process loading the signed mqtt, normalize and
// control packages (talked to through its admin API), and the Node.js Sparkplug edge node
// (peers/edge_node.js) driven over its stdin/stdout.
#pragma once

#include <google/protobuf/util/json_util.h>
#include <mosquitto.h>
#include <unistd.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "eventually.hpp"
#include "free_port.hpp"
#include "itc/command_signing.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "lamp_profile.hpp"
#include "node_process.hpp"

namespace itc::testing {

// Kills a QProcess the test started and waits for it.
inline void end_process(QProcess& p, bool graceful = true) {
  if (p.state() == QProcess::NotRunning) return;
  if (graceful) {
    p.terminate();
    if (p.waitForFinished(10000)) return;
  }
  p.kill();
  p.waitForFinished(5000);
}

class MosquittoBroker {
 public:
  // `extra` is appended to the listener's config (TLS, password file, ...).
  explicit MosquittoBroker(std::string extra = "", bool allow_anonymous = true)
      : port_(free_port()), extra_(std::move(extra)), anonymous_(allow_anonymous) {
    if (std::getenv("ITC_TEST_KEEP")) {  // keep the broker's config and a verbose log
      dir_.setAutoRemove(false);
      extra_ += "log_type all\n";
      qInfo("broker directory kept: %s", qPrintable(dir_.path()));
    }
    start();
  }
  ~MosquittoBroker() { end_process(process_); }

  void start() {
    const std::string conf = dir_.filePath("mosquitto.conf").toStdString();
    std::ofstream(conf) << "listener " << port_ << " 127.0.0.1\n"
                        << "allow_anonymous " << (anonymous_ ? "true" : "false")
                        << "\n"
                        // As root it would switch to user mosquitto, who cannot read the
                        // test's private temp dirs (certificates, password files).
                        << (::geteuid() == 0 ? "user root\n" : "") << extra_;
    process_.setProcessChannelMode(QProcess::MergedChannels);
    process_.setStandardOutputFile(dir_.filePath("mosquitto.log"), QIODevice::Append);
    process_.start("mosquitto", {"-c", QString::fromStdString(conf)});
    if (!process_.waitForStarted(5000)) qFatal("mosquitto did not start");
    // Ready when it accepts a TCP connection.
    if (!eventually(
            [&] {
              QTcpSocket s;
              s.connectToHost("127.0.0.1", port_);
              return s.waitForConnected(200);
            },
            10000)) {
      qFatal("mosquitto never listened on %u", port_);
    }
  }
  void stop() { end_process(process_); }
  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return "mqtt://" + address(); }
  std::string dir() const { return dir_.path().toStdString(); }

 private:
  QTemporaryDir dir_;
  std::uint16_t port_;
  std::string extra_;
  bool anonymous_;
  QProcess process_;
};

// itc-node (a NodeProcess) with the mqtt plugin (config section `mqtt_config`, YAML
// flow-map entries without braces), normalize and control.
class MqttNode {
 public:
  MqttNode() : admin_port_(free_port()), owner_(*crypto::Ed25519PrivateKey::generate()) {}

  const crypto::Ed25519PrivateKey& owner() const { return owner_; }
  std::string owner_hex() const { return crypto::to_hex(owner_.public_key()); }
  std::string path(const std::string& name) const { return node_.path(name); }
  std::string config_path() const { return node_.config_path(); }

  // `normalize_config`: that plugin's config section (YAML flow-map entries), if any;
  // kWithoutNormalize leaves normalize out (frames then go to no one).
  static constexpr const char* kWithoutNormalize = "off";
  NodeConfig config(const std::string& mqtt_config,
                    const std::string& normalize_config = "") const {
    NodeConfig c("mqtt-test-node", admin_port_);
    c.plugin("mqtt", "owner_public_key: " + owner_hex() + ", " + mqtt_config);
    if (normalize_config != kWithoutNormalize) c.plugin("normalize", normalize_config);
    c.plugin("control");
    return c;
  }
  std::string yaml(const std::string& mqtt_config, const std::string& normalize_config = "") const {
    return config(mqtt_config, normalize_config).yaml();
  }

  // Starts the node; false (with the log in `log()`) if it never ran every plugin.
  bool start(const std::string& mqtt_config, const std::string& normalize_config = "") {
    node_.write_config(config(mqtt_config, normalize_config));
    return node_.start_running();
  }
  // The node config as last started.
  std::string config_text() const {
    auto t = read_file(config_path());
    return t.ok() ? *t : "";
  }
  // Starts (or restarts, with the same data dir) the node from a whole config.
  bool start_with(const std::string& yaml_text) {
    int plugins_expected = 0;  // one "  - name:" line per plugin
    for (auto at = yaml_text.find("\n  - name: "); at != std::string::npos;
         at = yaml_text.find("\n  - name: ", at + 1)) {
      ++plugins_expected;
    }
    node_.write_config(yaml_text, admin_port_);
    return node_.start() && node_.wait_running(30000, plugins_expected);
  }
  // `itc-node --check-config` on this config: exit code and output.
  std::pair<int, QString> check_config(const std::string& mqtt_config) {
    node_.write_config(config(mqtt_config));
    return node_.check_config(20000);
  }
  // The plugin's entry in GET /v1/plugins (state, reason, ...).
  QJsonObject plugin(const QString& name) {
    for (const auto& p : get("/v1/plugins").json["plugins"].toArray()) {
      if (p.toObject()["name"].toString() == name) return p.toObject();
    }
    return {};
  }
  void stop() { node_.stop(); }
  NodeProcess& process() { return node_; }
  QString log() const { return node_.log(); }

  HttpReply request(const QString& method, const QString& path_and_query,
                    const QByteArray& body = {}) {
    return node_.request(method, path_and_query, body);
  }
  HttpReply get(const QString& p) { return request("GET", p); }

  QJsonObject device(const QString& id) { return get("/v1/devices/" + id).json; }
  // Whether (device, metric) had a reading of `value` among the node's recent readings.
  bool saw_reading(const QString& device, const QString& metric, double value, int max = 500) {
    const auto readings =
        get(QString("/v1/readings/recent?max=%1").arg(max)).json["readings"].toArray();
    for (const auto& r : readings) {
      const auto o = r.toObject();
      if (o["deviceId"].toString() == device && o["metric"].toString() == metric &&
          qFuzzyCompare(o["value"].toDouble() + 1000, value + 1000)) {
        return true;
      }
    }
    return false;
  }
  // The latest reading of (device, metric) among the node's recent readings, if any.
  std::optional<QJsonObject> reading(const QString& device, const QString& metric, int max = 500) {
    const auto readings =
        get(QString("/v1/readings/recent?max=%1").arg(max)).json["readings"].toArray();
    std::optional<QJsonObject> last;
    for (const auto& r : readings) {
      const auto o = r.toObject();
      if (o["deviceId"].toString() == device && o["metric"].toString() == metric) last = o;
    }
    return last;
  }
  // An owner-signed command, posted to /v1/commands; the reply's JSON.
  HttpReply command(v1::Command cmd) {
    sign_command(&cmd, owner_);
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(cmd, &json);
    return request("POST", "/v1/commands", QByteArray::fromStdString(json));
  }
  std::optional<double> metric(const std::string& plugin, const std::string& name) {
    return node_.metric(plugin, name);
  }

 private:
  std::uint16_t admin_port_;
  crypto::Ed25519PrivateKey owner_;
  NodeProcess node_;
};

// A plain libmosquitto client on its own thread (mosquitto_loop_start): a reference
// subscriber that counts what it receives, or a publisher.
class MqttClient {
 public:
  using Clock = std::chrono::steady_clock;
  MqttClient(const char* id, std::uint16_t port) {
    mosquitto_lib_init();
    mosq_ = mosquitto_new(id, true, this);
    mosquitto_message_callback_set(mosq_, [](mosquitto*, void* self, const mosquitto_message*) {
      auto* c = static_cast<MqttClient*>(self);
      if (c->received_.fetch_add(1) + 1 == c->target_.load()) c->done_at_ = Clock::now();
    });
    mosquitto_subscribe_callback_set(mosq_, [](mosquitto*, void* self, int, int, const int*) {
      static_cast<MqttClient*>(self)->subscribed_.fetch_add(1);
    });
    mosquitto_publish_callback_set(mosq_, [](mosquitto*, void* self, int) {
      static_cast<MqttClient*>(self)->acknowledged_.fetch_add(1);
    });
    if (mosquitto_connect(mosq_, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) {
      qFatal("MQTT client %s cannot connect", id);
    }
    mosquitto_loop_start(mosq_);
  }
  ~MqttClient() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
  }
  void subscribe(const char* filter) { mosquitto_subscribe(mosq_, nullptr, filter, 0); }
  void publish(const std::string& topic, const std::string& payload, int qos = 0) {
    mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                      payload.data(), qos, false);
  }
  // Counts received messages from zero; done_at() is when the n-th arrived.
  void expect(std::uint64_t n) {
    received_ = 0;
    target_ = n;
  }
  std::uint64_t received() const { return received_; }
  int subscribed() const { return subscribed_; }                // SUBACKs
  std::uint64_t acknowledged() const { return acknowledged_; }  // publishes done (QoS 1: PUBACK)
  Clock::time_point done_at() const { return done_at_; }

 private:
  mosquitto* mosq_;
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> target_{0};
  std::atomic<int> subscribed_{0};
  std::atomic<std::uint64_t> acknowledged_{0};
  Clock::time_point done_at_{};
};

// The Node.js Sparkplug edge node (peers/edge_node.js): commands in, events out.
class EdgeNodePeer {
 public:
  EdgeNodePeer(const std::string& broker_url, const std::string& group, const std::string& node) {
    const QString script = QString::fromStdString(source_dir() + "/tests/mqtt/peers/edge_node.js");
    process_.setProcessChannelMode(QProcess::SeparateChannels);
    process_.start("node", {script, "--broker", QString::fromStdString(broker_url), "--group",
                            QString::fromStdString(group), "--node", QString::fromStdString(node)});
    if (!process_.waitForStarted(10000)) qFatal("node edge_node.js did not start");
  }
  ~EdgeNodePeer() {
    process_.closeWriteChannel();
    if (!process_.waitForFinished(3000)) end_process(process_, false);
  }

  void send(const QJsonObject& command) {
    process_.write(QJsonDocument(command).toJson(QJsonDocument::Compact) + "\n");
    process_.waitForBytesWritten(1000);
  }
  // Waits for an event (from now on, or already received and not yet taken) for which
  // `match` holds; returns it, or an empty object after `ms`.
  QJsonObject wait_for(const std::function<bool(const QJsonObject&)>& match, int ms = 15000) {
    QJsonObject found;
    eventually(
        [&] {
          while (process_.canReadLine())
            events_.push_back(QJsonDocument::fromJson(process_.readLine()).object());
          for (auto it = events_.begin(); it != events_.end(); ++it) {
            if (match(*it)) {
              found = *it;
              events_.erase(it);
              return true;
            }
          }
          return false;
        },
        ms);
    return found;
  }
  QJsonObject wait_event(const QString& name, int ms = 15000) {
    return wait_for([&](const QJsonObject& e) { return e["event"].toString() == name; }, ms);
  }
  // Sends `command` and waits until the edge node has written its message.
  bool publish(const QJsonObject& command) {
    send(command);
    const auto e = wait_for(
        [](const QJsonObject& ev) { return ev["event"] == "published" || ev["event"] == "error"; });
    return e["event"] == "published";
  }
  QString stderr_text() { return QString::fromUtf8(process_.readAllStandardError()); }

 private:
  QProcess process_;
  std::vector<QJsonObject> events_;
};

}  // namespace itc::testing
