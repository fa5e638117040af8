// MqttLink: one MQTT client connection (libmosquitto) on its own network thread, with
// TLS, login, a last-will refreshed before every connect, and reconnect with exponential
// back-off and jitter. The callbacks run on the network thread; a callback that blocks
// (bus back-pressure) holds the connection's reading, which is intended.
// Thread safety: post() and connected() may be called from any thread; publish() and
// subscribe() only on the network thread (callbacks, posted tasks), so one thread drives
// the libmosquitto client; start and stop from one thread. stop() returns within about 0.3 s unless
// a callback is blocked.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "itc/status.hpp"
#include "mqtt_config.hpp"

struct mosquitto;

namespace itc::mqtt {

struct WillMessage {
  std::string topic;
  std::string payload;
  int qos = 1;
  bool retain = true;
};

struct LinkCallbacks {
  // Called before each connection attempt; the returned will is registered with it.
  std::function<std::optional<WillMessage>()> will;
  // The broker accepted the connection (CONNACK success).
  std::function<void(bool session_present)> connected;
  // An established connection ended, or an attempt failed; `reason` says why.
  std::function<void(const std::string& reason, bool was_connected)> lost;
  std::function<void(std::string_view topic, std::string_view payload)> message;
};

class MqttLink {
 public:
  // `password` is the broker password (already read from its file); it is never logged.
  static Result<std::unique_ptr<MqttLink>> create(const MqttConfig& config,
                                                  const std::string& client_id,
                                                  std::string password, LinkCallbacks callbacks);
  ~MqttLink();
  MqttLink(const MqttLink&) = delete;
  MqttLink& operator=(const MqttLink&) = delete;

  void start();
  // Disconnects (cleanly when connected) and ends the network thread.
  void stop();

  // On the network thread only (callbacks, posted tasks).
  Status subscribe(const std::string& topic, int qos);
  Status publish(const std::string& topic, std::string_view payload, int qos, bool retain);
  // Runs `task` on the network thread soon (within one loop turn, <= 50 ms), so all
  // libmosquitto calls come from that thread. Tasks still queued at stop() run there,
  // before the clean disconnect.
  void post(std::function<void()> task);
  bool connected() const { return connected_; }
  std::string broker() const;

 private:
  MqttLink(const MqttConfig& config, LinkCallbacks callbacks);
  void run();
  void disconnect_cleanly();
  bool connect_once();
  void wait_backoff(std::uint32_t attempt);
  void handle_connect(int rc, int flags);
  void handle_disconnect(int rc);

  MqttConfig config_;
  LinkCallbacks callbacks_;
  mosquitto* mosq_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  bool first_connect_ = true;
  std::string failure_;  // why the current attempt or connection ended (network thread)
  void run_posted();
  std::mutex mu_;  // guards posted_, and the back-off wait
  std::condition_variable wake_;
  std::vector<std::function<void()>> posted_;
};

}  // namespace itc::mqtt
