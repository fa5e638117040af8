// An edge node's MQTT messages as the Sparkplug B host application reads them: the topic
// parser, the payload decoder (sparkplug_b.proto, datatype conversions) and the session
// rules (births, seq numbers, aliases, deaths, rebirth requests) of one EdgeNodeSession
// over a sequence of messages, as the plugin applies them (itc_mqtt_wire).
// Input: records of [topic length: 1 byte][topic][payload length: 2 bytes little-endian]
// [payload]; a truncated last record is cut to what is there. 100 ms pass per record.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge_node_session.hpp"
#include "sparkplug_codec.hpp"

namespace {

// The next `n` bytes (fewer at the end), advancing `at`.
std::string_view take(const std::uint8_t* data, std::size_t size, std::size_t* at, std::size_t n) {
  n = std::min(n, size - *at);
  std::string_view out(reinterpret_cast<const char*>(data + *at), n);
  *at += n;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  itc::mqtt::EdgeNodeSession session(1000);
  std::int64_t now_ms = 0;
  std::size_t at = 0;
  while (at < size) {
    const std::size_t topic_length = data[at++];
    const std::string_view topic = take(data, size, &at, topic_length);
    std::size_t length = 0;
    if (at + 2 <= size) length = data[at] | (data[at + 1] << 8);
    at = std::min(at + 2, size);
    const std::string_view payload = take(data, size, &at, length);
    now_ms += 100;
    auto parsed = itc::mqtt::parse_sparkplug_topic(topic);
    auto decoded = itc::mqtt::decode_sparkplug_payload(payload);
    if (!parsed.ok() || !decoded.ok()) continue;
    (void)itc::mqtt::sparkplug_topic(*parsed);
    auto outcome = session.on_message(parsed->verb, parsed->device, *decoded, now_ms);
    for (const auto& event : outcome.events) {
      for (const auto& value : event.values) (void)session.birth_metric(event.device, value.name);
    }
  }
  session.restore(session.snapshot());
  return 0;
}
