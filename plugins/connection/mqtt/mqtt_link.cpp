#include "mqtt_link.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <exception>
#include <random>
#include <utility>

#include "itc/file_io.hpp"

namespace itc::mqtt {
namespace {

constexpr int kLoopTimeoutMs = 50;  // also the latency of posted tasks
// How long a clean disconnect waits for the broker to close after DISCONNECT.
constexpr std::chrono::milliseconds kCloseWait{1000};

// Runs a plugin callback from libmosquitto's C code: nothing may propagate out of it.
template <class Fn>
void guarded(const char* what, Fn&& fn) noexcept {
  try {
    fn();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mqtt: %s failed: %s\n", what, e.what());
  } catch (...) {
    std::fprintf(stderr, "mqtt: %s failed\n", what);
  }
}

void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

std::string mosquitto_error(int rc) {
  if (rc == MOSQ_ERR_ERRNO) return std::string(mosquitto_strerror(rc)) + " (system error)";
  return mosquitto_strerror(rc);
}

}  // namespace

MqttLink::MqttLink(const MqttConfig& config, LinkCallbacks callbacks)
    : config_(config), callbacks_(std::move(callbacks)) {}

Result<std::unique_ptr<MqttLink>> MqttLink::create(const MqttConfig& config,
                                                   const std::string& client_id,
                                                   std::string password, LinkCallbacks callbacks) {
  init_library();
  std::unique_ptr<MqttLink> link(new MqttLink(config, std::move(callbacks)));
  link->mosq_ = mosquitto_new(client_id.c_str(), !config.persistent_session, link.get());
  if (link->mosq_ == nullptr) {
    return Status::InvalidArgument(
        "client_id: libmosquitto refused the client (out of memory "
        "or an empty id with a persistent session)");
  }
  mosquitto* m = link->mosq_;
  mosquitto_threaded_set(m, true);
  mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION,
                       config.mqtt5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
  if (!config.username.empty()) {
    const int rc = mosquitto_username_pw_set(
        m, config.username.c_str(), config.password_file.empty() ? nullptr : password.c_str());
    std::fill(password.begin(), password.end(), '\0');
    if (rc != MOSQ_ERR_SUCCESS) return Status::InvalidArgument("username: " + mosquitto_error(rc));
  }
  if (!config.tls.ca_file.empty()) {
    // libmosquitto reads these itself: refuse devices, FIFOs and huge files first.
    for (const auto& [field, path] : {std::pair{"tls.ca_file", &config.tls.ca_file},
                                      {"tls.cert_file", &config.tls.cert_file},
                                      {"tls.key_file", &config.tls.key_file}}) {
      if (path->empty()) continue;
      if (Status s = check_readable_file(*path); !s.ok()) return s.WithContext(field);
    }
    const int rc = mosquitto_tls_set(
        m, config.tls.ca_file.c_str(), nullptr,
        config.tls.cert_file.empty() ? nullptr : config.tls.cert_file.c_str(),
        config.tls.key_file.empty() ? nullptr : config.tls.key_file.c_str(), nullptr);
    if (rc != MOSQ_ERR_SUCCESS) return Status::InvalidArgument("tls: " + mosquitto_error(rc));
  }
  mosquitto_connect_with_flags_callback_set(m, [](mosquitto*, void* self, int rc, int flags) {
    static_cast<MqttLink*>(self)->handle_connect(rc, flags);
  });
  mosquitto_disconnect_callback_set(m, [](mosquitto*, void* self, int rc) {
    static_cast<MqttLink*>(self)->handle_disconnect(rc);
  });
  mosquitto_message_callback_set(m, [](mosquitto*, void* self, const mosquitto_message* msg) {
    auto* link = static_cast<MqttLink*>(self);
    guarded("a message handler", [&] {
      link->callbacks_.message(
          msg->topic, std::string_view(static_cast<const char*>(msg->payload),
                                       static_cast<std::size_t>(std::max(0, msg->payloadlen))));
    });
  });
  return link;
}

MqttLink::~MqttLink() {
  stop();
  if (mosq_ != nullptr) mosquitto_destroy(mosq_);
}

std::string MqttLink::broker() const { return config_.host + ":" + std::to_string(config_.port); }

void MqttLink::start() {
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void MqttLink::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MqttLink::handle_connect(int rc, int flags) {
  if (rc != 0) {
    failure_ =
        "the broker refused the connection: " +
        std::string(config_.mqtt5 ? mosquitto_reason_string(rc) : mosquitto_connack_string(rc));
    return;  // the broker closes the socket; the loop sees it and backs off
  }
  connected_ = true;
  failure_.clear();
  guarded("the connected handler", [&] { callbacks_.connected((flags & 1) != 0); });
}

void MqttLink::handle_disconnect(int rc) {
  if (rc != 0 && failure_.empty()) failure_ = "connection lost: " + mosquitto_error(rc);
}

bool MqttLink::connect_once() {
  mosquitto_will_clear(mosq_);
  if (auto will = callbacks_.will ? callbacks_.will() : std::nullopt) {
    mosquitto_will_set(mosq_, will->topic.c_str(), static_cast<int>(will->payload.size()),
                       will->payload.data(), will->qos, will->retain);
  }
  int rc;
  if (first_connect_ && config_.mqtt5 && config_.persistent_session) {
    // Connect properties can only be given here (libmosquitto keeps them for every
    // reconnect); this first attempt blocks while the TCP connection is set up.
    mosquitto_property* props = nullptr;
    mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
                                 config_.session_expiry_s);
    rc = mosquitto_connect_bind_v5(mosq_, config_.host.c_str(), config_.port, config_.keepalive_s,
                                   nullptr, props);
    mosquitto_property_free_all(&props);
  } else if (first_connect_) {
    rc = mosquitto_connect_async(mosq_, config_.host.c_str(), config_.port, config_.keepalive_s);
  } else {
    rc = mosquitto_reconnect_async(mosq_);
  }
  if (rc != MOSQ_ERR_SUCCESS) {
    failure_ = "cannot connect to " + broker() + ": " + mosquitto_error(rc);
    return false;
  }
  first_connect_ = false;
  return true;
}

void MqttLink::wait_backoff(std::uint32_t attempt) {
  const std::uint64_t base = std::min<std::uint64_t>(
      config_.reconnect_max_ms, static_cast<std::uint64_t>(config_.reconnect_min_ms)
                                    << std::min<std::uint32_t>(attempt, 20));
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::uint64_t wait = std::uniform_int_distribution<std::uint64_t>(base / 2, base)(rng);
  std::unique_lock lock(mu_);
  wake_.wait_for(lock, std::chrono::milliseconds(wait), [this] { return stopping_.load(); });
  // Tasks posted while disconnected run on the next connection (or at stop).
}

void MqttLink::post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    posted_.push_back(std::move(task));
  }
  wake_.notify_all();
}

void MqttLink::run_posted() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(mu_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) guarded("a posted task", task);
}

void MqttLink::run() {
  std::uint32_t failures = 0;
  while (!stopping_) {
    failure_.clear();
    bool established = false;
    if (connect_once()) {
      while (!stopping_) {
        run_posted();
        const int rc = mosquitto_loop(mosq_, kLoopTimeoutMs, 1);
        if (connected_) established = true;
        if (rc != MOSQ_ERR_SUCCESS) {
          if (failure_.empty())
            failure_ = "connection to " + broker() + " lost: " + mosquitto_error(rc);
          break;
        }
      }
    }
    if (stopping_) break;
    connected_ = false;
    if (failure_.empty()) failure_ = "connection to " + broker() + " ended";
    guarded("the connection-lost handler", [&] { callbacks_.lost(failure_, established); });
    failures = established ? 1 : failures + 1;
    wait_backoff(failures - 1);
  }
  run_posted();  // a task may be a farewell (Sparkplug STATE offline)
  if (connected_) {
    disconnect_cleanly();
    connected_ = false;
  }
}

// A clean DISCONNECT: the broker drops the will and keeps a persistent session. libmosquitto
// closes its socket right after writing DISCONNECT; if a PUBLISH the broker sent meanwhile is
// still unread, that close makes the kernel reset the connection, and a broker that sees the
// reset drops what it had not read yet: the PUBACKs of messages this link already handed on
// (they would be delivered again, to a successor after a hot swap: a duplicate) and the
// DISCONNECT itself (the will would be published). So a second descriptor keeps the socket
// open past libmosquitto's close; after DISCONNECT it sends FIN and reads (and drops, unacked:
// the broker delivers them again) whatever still arrives until the broker closes, then closes.
void MqttLink::disconnect_cleanly() {
  const int socket = mosquitto_socket(mosq_);
  const int kept = socket >= 0 ? ::dup(socket) : -1;
  mosquitto_disconnect(mosq_);
  for (int i = 0; i < 4 && mosquitto_want_write(mosq_); ++i) mosquitto_loop_write(mosq_, 1);
  if (kept < 0) return;
  ::shutdown(kept, SHUT_WR);
  const auto give_up = std::chrono::steady_clock::now() + kCloseWait;
  char sink[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        give_up - std::chrono::steady_clock::now());
    pollfd p{kept, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = ::recv(kept, sink, sizeof sink, 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;  // the broker closed
  }
  ::close(kept);
}

Status MqttLink::subscribe(const std::string& topic, int qos) {
  const int rc = mosquitto_subscribe(mosq_, nullptr, topic.c_str(), qos);
  if (rc != MOSQ_ERR_SUCCESS) {
    return Status::Unavailable("cannot subscribe to " + topic + ": " + mosquitto_error(rc));
  }
  return Status::Ok();
}

Status MqttLink::publish(const std::string& topic, std::string_view payload, int qos, bool retain) {
  const int rc = mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                                   payload.data(), qos, retain);
  if (rc != MOSQ_ERR_SUCCESS) {
    return Status::Unavailable("cannot publish to " + topic + ": " + mosquitto_error(rc));
  }
  return Status::Ok();
}

}  // namespace itc::mqtt
