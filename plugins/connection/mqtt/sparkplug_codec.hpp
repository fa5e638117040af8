// Eclipse Sparkplug B 3.0 on the wire: topic names and payloads (sparkplug_b.proto).
// Pure functions over untrusted bytes: every failure is a Status saying what was wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itc/status.hpp"
#include "wire_value.hpp"

namespace itc::mqtt {

inline constexpr std::string_view kSparkplugNamespace = "spBv1.0";
inline constexpr std::string_view kRebirthMetric = "Node Control/Rebirth";
inline constexpr std::string_view kBdSeqMetric = "bdSeq";

enum class SparkplugVerb { kNBirth, kNDeath, kDBirth, kDDeath, kNData, kDData, kNCmd, kDCmd };

// Sparkplug datatype codes (Payload comment in sparkplug_b.proto).
enum SparkplugType : std::uint32_t {
  kInt8 = 1,
  kInt16 = 2,
  kInt32 = 3,
  kInt64 = 4,
  kUInt8 = 5,
  kUInt16 = 6,
  kUInt32 = 7,
  kUInt64 = 8,
  kFloat = 9,
  kDouble = 10,
  kBoolean = 11,
  kString = 12,
  kDateTime = 13,
  kText = 14,
};

// spBv1.0/<group>/<verb>/<edge node>[/<device>]; device is set exactly for D* verbs.
struct SparkplugTopic {
  std::string group;
  SparkplugVerb verb = SparkplugVerb::kNData;
  std::string edge_node;
  std::string device;
};

// InvalidArgument naming what is wrong. STATE topics are not parsed here.
Result<SparkplugTopic> parse_sparkplug_topic(std::string_view topic);
std::string sparkplug_topic(const SparkplugTopic& topic);
std::string_view verb_name(SparkplugVerb verb);

struct SparkplugMetric {
  std::optional<std::string> name;
  std::optional<std::uint64_t> alias;
  std::uint32_t datatype = 0;  // 0: not given (DATA may omit it)
  std::uint64_t timestamp_ms = 0;
  WireValue value;  // monostate: null, or a type this plugin does not read
};

struct SparkplugPayload {
  std::optional<std::uint64_t> seq;
  std::uint64_t timestamp_ms = 0;
  std::vector<SparkplugMetric> metrics;
};

// Decodes a payload. Numbers are read per the metric's datatype when it has one (Int8..
// Int64 as two's complement, Float/Double, Boolean), otherwise per the value field that
// is set. InvalidArgument if the bytes are not a Sparkplug B payload.
Result<SparkplugPayload> decode_sparkplug_payload(std::string_view bytes);

// One metric to write (NCMD / DCMD): `raw` is converted to `datatype`; InvalidArgument if
// it does not fit (e.g. 300 for UInt8, 1.5 for an integer type, any value for String).
struct SparkplugWrite {
  std::string name;
  std::optional<std::uint64_t> alias;
  std::uint32_t datatype = kDouble;
  double raw = 0;
};
Result<std::string> encode_sparkplug_command(const std::vector<SparkplugWrite>& writes,
                                             std::uint64_t timestamp_ms);

}  // namespace itc::mqtt
