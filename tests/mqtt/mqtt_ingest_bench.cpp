// mqtt_ingest_bench: how fast MQTT messages get from a real mosquitto broker through the
// mqtt plugin (JSON or Sparkplug B DDATA -> signed RawFrame) and normalize (signature
// check, scaling) into readings on the bus of one itc-node, beside what a plain
// libmosquitto subscriber receives from the same publisher in the same round.
//
// Each round publishes N messages at QoS 0 as fast as libmosquitto sends them; the plain
// subscriber's rate is N / (time of its last message - start), the node's is N / (time
// normalize had published the readings of all N - start), polled on /metrics every 10 ms.
// Prints the median of the rounds and the median per-round ratio node / subscriber.
//   ITC_BENCH_MESSAGES (default 20000), ITC_BENCH_ROUNDS (default 5)
#include <QCoreApplication>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "mqtt_peers.hpp"
#include "sparkplug_b.pb.h"
#include "sparkplug_codec.hpp"

using itc::testing::MosquittoBroker;
using itc::testing::MqttClient;
using itc::testing::MqttNode;
using Clock = itc::testing::MqttClient::Clock;
using Payload = org::eclipse::tahu::protobuf::Payload;

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

// Polls `done` every 10 ms (the time resolution of the node's figure) until it holds.
bool poll_until(const std::function<bool()>& done, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    if (done()) return true;
    QTest::qWait(10);
  }
  return done();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string sparkplug_payload(std::uint64_t seq, std::uint64_t i, bool birth) {
  Payload p;
  p.set_timestamp(1'700'000'000'000 + i);
  p.set_seq(seq);
  auto add = [&](const char* name, std::uint64_t alias, std::uint32_t type) {
    auto* m = p.add_metrics();
    if (birth) m->set_name(name);
    m->set_alias(alias);
    m->set_datatype(type);
    return m;
  };
  if (birth && seq == 0) {  // NBIRTH
    auto* bd = p.add_metrics();
    bd->set_name("bdSeq");
    bd->set_datatype(itc::mqtt::kInt64);
    bd->set_long_value(0);
    return p.SerializeAsString();
  }
  add("Light/Power", 1, itc::mqtt::kUInt32)->set_long_value(5000 + i % 1000);
  add("Light/Temperature", 2, itc::mqtt::kInt16)
      ->set_int_value(200 + static_cast<std::uint32_t>(i % 50));
  add("Light/Dim", 3, itc::mqtt::kUInt8)->set_int_value(static_cast<std::uint32_t>(i % 101));
  return p.SerializeAsString();
}

// One node, fresh: both kinds of message, `rounds` rounds each. False on a failure.
bool run_node(const MosquittoBroker& broker, const char* label, const std::string& normalize_config,
              int n, int rounds) {
  MqttNode node;
  if (!node.start(
          "broker: " + broker.address() +
              ", qos: 0, devices: [{id: bench-lamp, profile: dimmable-lamp},"
              "{id: bench-sp, profile: dimmable-lamp, sparkplug: {group: plant1, edge_node: "
              "bench, device: lamp1}}]",
          normalize_config)) {
    std::fprintf(stderr, "node did not start:\n%s\n", qPrintable(node.log()));
    return false;
  }
  itc::testing::eventually([&] { return node.metric("mqtt", "broker_connected") == 1.0; });

  MqttClient subscriber("bench-subscriber", broker.port());
  subscriber.subscribe("lights/bench-lamp/state");
  subscriber.subscribe("spBv1.0/plant1/+/bench/#");
  MqttClient publisher("bench-publisher", broker.port());
  itc::testing::eventually([&] { return subscriber.subscribed() == 2; });  // both SUBACKs

  // The edge node is born once; DDATA then continue its seq across rounds.
  std::uint64_t seq = 0;
  subscriber.expect(2);
  publisher.publish("spBv1.0/plant1/NBIRTH/bench", sparkplug_payload(seq++, 0, true));
  publisher.publish("spBv1.0/plant1/DBIRTH/bench/lamp1", sparkplug_payload(seq++, 0, true));
  itc::testing::eventually([&] { return subscriber.received() >= 2; });

  const std::string json =
      R"({"power_mw":5500,"temperature_dc":231,"dim_pct":80,"on":true,"occupancy":2,"fault":false})";
  struct Kind {
    const char* name;
    int readings_per_message;
  };
  std::printf("%s\n", label);
  for (const Kind kind :
       {Kind{"plain JSON (6 metrics)", 6}, Kind{"Sparkplug DDATA (3 aliases)", 3}}) {
    const bool sparkplug = kind.readings_per_message == 3;
    std::vector<std::string> payloads;  // prepared, so the publisher only sends
    payloads.reserve(static_cast<std::size_t>(n) * static_cast<std::size_t>(rounds));
    for (int i = 0; i < n * rounds; ++i) {
      payloads.push_back(
          sparkplug ? sparkplug_payload(seq++ % 256, static_cast<std::uint64_t>(i), false) : json);
    }
    const std::string topic =
        sparkplug ? "spBv1.0/plant1/DDATA/bench/lamp1" : "lights/bench-lamp/state";
    std::vector<double> sub, nod, ratio;
    for (int r = 0; r < rounds; ++r) {
      // Done when normalize published every reading, or without normalize, when the
      // plugin published every frame.
      const bool normalized = normalize_config != MqttNode::kWithoutNormalize;
      const char* plugin = normalized ? "normalize" : "mqtt";
      const char* counter = normalized ? "readings_out" : "frames_out";
      const double base = node.metric(plugin, counter).value_or(0);
      const double target =
          base + static_cast<double>(n) * (normalized ? kind.readings_per_message : 1);
      subscriber.expect(static_cast<std::uint64_t>(n));
      const auto start = Clock::now();
      for (int i = 0; i < n; ++i)
        publisher.publish(topic, payloads[static_cast<std::size_t>(r * n + i)]);
      Clock::time_point node_done{};
      const bool all = poll_until(
          [&] {
            if (node.metric(plugin, counter).value_or(0) < target) return false;
            node_done = Clock::now();
            return true;
          },
          120000);
      if (!all || subscriber.received() < static_cast<std::uint64_t>(n)) {
        std::fprintf(stderr, "%s round %d: node %s, subscriber got %llu of %d\n", kind.name, r,
                     all ? "complete" : "incomplete",
                     static_cast<unsigned long long>(subscriber.received()), n);
        return false;
      }
      auto secs = [&](Clock::time_point t) {
        return std::chrono::duration<double>(t - start).count();
      };
      sub.push_back(n / secs(subscriber.done_at()));
      nod.push_back(n / secs(node_done));
      ratio.push_back(nod.back() / sub.back());
    }
    const double readings = normalize_config == MqttNode::kWithoutNormalize
                                ? 0
                                : median(nod) * kind.readings_per_message;
    std::printf(
        "  %-28s subscriber %8.0f msg/s   node %7.0f msg/s (%7.0f readings/s)   node/subscriber "
        "%5.1f%%\n",
        kind.name, median(sub), median(nod), readings, 100 * median(ratio));
  }
  const double errors = node.metric("mqtt", "errors_seq_gap").value_or(0) +
                        node.metric("mqtt", "errors_json").value_or(0) +
                        node.metric("mqtt", "errors_decode").value_or(0);
  std::printf("  plugin errors %.0f, frames out %.0f\n", errors,
              node.metric("mqtt", "frames_out").value_or(0));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  // Run by hand, not by ctest: default to this build's packages and vendor key.
  setenv("ITC_PACKAGE_DIR", ITC_BENCH_PACKAGE_DIR, 0);
  setenv("ITC_VENDOR_KEY", ITC_BENCH_VENDOR_KEY, 0);
  setenv("ITC_SOURCE_DIR", ITC_TEST_SOURCE_DIR, 0);
  mosquitto_lib_init();
  const int n = env_int("ITC_BENCH_MESSAGES", 20000);
  const int rounds = env_int("ITC_BENCH_ROUNDS", 5);

  // QoS 0 to a slow subscriber is dropped once 1000 wait by default: lift the limit so
  // that every message reaches the node and is counted.
  MosquittoBroker broker("max_queued_messages 0\n");
  std::printf(
      "mqtt ingest: %d messages per round, %d rounds (medians), QoS 0, publisher as fast as it "
      "can\n",
      n, rounds);
  if (!run_node(broker, "node: mqtt -> normalize (every frame's Ed25519 signature checked)", "", n,
                rounds)) {
    return 1;
  }
  if (!run_node(broker, "node: mqtt -> normalize with verify_signatures: false",
                "verify_signatures: false", n, rounds)) {
    return 1;
  }
  if (!run_node(broker, "node: mqtt alone (signed frames onto the bus; no normalize)",
                MqttNode::kWithoutNormalize, n, rounds)) {
    return 1;
  }
  return 0;
}
