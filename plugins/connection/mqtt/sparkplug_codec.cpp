#include "sparkplug_codec.hpp"

#include <cmath>
#include <limits>

#include "sparkplug_b.pb.h"

namespace itc::mqtt {
namespace {

using Payload = org::eclipse::tahu::protobuf::Payload;
using Metric = org::eclipse::tahu::protobuf::Payload_Metric;

struct VerbName {
  SparkplugVerb verb;
  std::string_view name;
  bool device;
};
constexpr VerbName kVerbs[] = {
    {SparkplugVerb::kNBirth, "NBIRTH", false}, {SparkplugVerb::kNDeath, "NDEATH", false},
    {SparkplugVerb::kDBirth, "DBIRTH", true},  {SparkplugVerb::kDDeath, "DDEATH", true},
    {SparkplugVerb::kNData, "NDATA", false},   {SparkplugVerb::kDData, "DDATA", true},
    {SparkplugVerb::kNCmd, "NCMD", false},     {SparkplugVerb::kDCmd, "DCMD", true},
};

// Reads the metric's value as its datatype says (or as the field that is set).
WireValue metric_value(const Metric& m) {
  if (m.is_null()) return std::monostate{};
  const std::uint32_t type = m.datatype();
  switch (m.value_case()) {
    case Metric::kIntValue: {
      const std::uint32_t v = m.int_value();
      if (type == kInt8) return static_cast<std::int64_t>(static_cast<std::int8_t>(v));
      if (type == kInt16) return static_cast<std::int64_t>(static_cast<std::int16_t>(v));
      if (type == kInt32) return static_cast<std::int64_t>(static_cast<std::int32_t>(v));
      if (type == kBoolean) return v != 0;
      return static_cast<std::int64_t>(v);
    }
    case Metric::kLongValue: {
      const std::uint64_t v = m.long_value();
      if (type == kUInt64 || type == kDateTime) {
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          return static_cast<double>(v);
        }
        return static_cast<std::int64_t>(v);
      }
      if (type == kBoolean) return v != 0;
      return static_cast<std::int64_t>(v);  // Int64 (two's complement), UInt32
    }
    case Metric::kFloatValue:
      return static_cast<double>(m.float_value());
    case Metric::kDoubleValue:
      return m.double_value();
    case Metric::kBooleanValue:
      return m.boolean_value();
    case Metric::kStringValue:
      return m.string_value();
    default:
      return std::monostate{};  // bytes, datasets, templates, extensions: not readings
  }
}

bool valid_id(std::string_view id) {
  return !id.empty() && id.find_first_of("/+#") == std::string_view::npos;
}

Status set_command_value(const SparkplugWrite& w, Metric* m) {
  const double raw = w.raw;
  if (!std::isfinite(raw)) return Status::InvalidArgument(w.name + ": value is not finite");
  auto whole = [&](double lo, double hi) -> Status {
    if (raw != std::trunc(raw)) {
      return Status::InvalidArgument(w.name + ": " + describe(raw) +
                                     " is not a whole number, which its datatype needs");
    }
    if (raw < lo || raw > hi) {
      return Status::InvalidArgument(w.name + ": " + describe(raw) +
                                     " is outside its datatype's range");
    }
    return Status::Ok();
  };
  switch (w.datatype) {
    case kInt8:
      ITC_RETURN_IF_ERROR(whole(-128, 127));
      m->set_int_value(static_cast<std::uint32_t>(static_cast<std::int32_t>(raw)));
      return Status::Ok();
    case kInt16:
      ITC_RETURN_IF_ERROR(whole(-32768, 32767));
      m->set_int_value(static_cast<std::uint32_t>(static_cast<std::int32_t>(raw)));
      return Status::Ok();
    case kInt32:
      ITC_RETURN_IF_ERROR(whole(-2147483648.0, 2147483647.0));
      m->set_int_value(static_cast<std::uint32_t>(static_cast<std::int32_t>(raw)));
      return Status::Ok();
    case kUInt8:
      ITC_RETURN_IF_ERROR(whole(0, 255));
      m->set_int_value(static_cast<std::uint32_t>(raw));
      return Status::Ok();
    case kUInt16:
      ITC_RETURN_IF_ERROR(whole(0, 65535));
      m->set_int_value(static_cast<std::uint32_t>(raw));
      return Status::Ok();
    case kUInt32:
      ITC_RETURN_IF_ERROR(whole(0, 4294967295.0));
      m->set_long_value(static_cast<std::uint64_t>(raw));
      return Status::Ok();
    case kInt64:
      ITC_RETURN_IF_ERROR(whole(-9223372036854775808.0, 9223372036854774784.0));
      m->set_long_value(static_cast<std::uint64_t>(static_cast<std::int64_t>(raw)));
      return Status::Ok();
    case kUInt64:
    case kDateTime:
      ITC_RETURN_IF_ERROR(whole(0, 18446744073709549568.0));
      m->set_long_value(static_cast<std::uint64_t>(raw));
      return Status::Ok();
    case kFloat:
      m->set_float_value(static_cast<float>(raw));
      return Status::Ok();
    case kDouble:
      m->set_double_value(raw);
      return Status::Ok();
    case kBoolean:
      if (raw != 0 && raw != 1) {
        return Status::InvalidArgument(w.name + ": " + describe(raw) +
                                       " is not a boolean (0 or 1)");
      }
      m->set_boolean_value(raw == 1);
      return Status::Ok();
    default:
      return Status::InvalidArgument(w.name + ": datatype " + std::to_string(w.datatype) +
                                     " cannot take a number");
  }
}

}  // namespace

std::string_view verb_name(SparkplugVerb verb) {
  for (const VerbName& v : kVerbs)
    if (v.verb == verb) return v.name;
  return "?";
}

Result<SparkplugTopic> parse_sparkplug_topic(std::string_view topic) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = topic.find('/', start);
    parts.push_back(topic.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts[0] != kSparkplugNamespace) {
    return Status::InvalidArgument("topic does not start with " + std::string(kSparkplugNamespace));
  }
  if (parts.size() < 4 || parts.size() > 5) {
    return Status::InvalidArgument(
        "a Sparkplug topic is spBv1.0/<group>/<verb>/<edge node>[/<device>]");
  }
  SparkplugTopic out;
  const VerbName* verb = nullptr;
  for (const VerbName& v : kVerbs)
    if (v.name == parts[2]) verb = &v;
  if (verb == nullptr) {
    return Status::InvalidArgument("unknown message type \"" + std::string(parts[2]) + "\"");
  }
  if (verb->device != (parts.size() == 5)) {
    return Status::InvalidArgument(std::string(verb->name) +
                                   (verb->device ? " needs a device id" : " has no device id"));
  }
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (i != 2 && !valid_id(parts[i])) {
      return Status::InvalidArgument("empty or invalid id in topic part " + std::to_string(i));
    }
  }
  out.group = std::string(parts[1]);
  out.verb = verb->verb;
  out.edge_node = std::string(parts[3]);
  if (parts.size() == 5) out.device = std::string(parts[4]);
  return out;
}

std::string sparkplug_topic(const SparkplugTopic& t) {
  std::string s = std::string(kSparkplugNamespace) + "/" + t.group + "/" +
                  std::string(verb_name(t.verb)) + "/" + t.edge_node;
  if (!t.device.empty()) s += "/" + t.device;
  return s;
}

Result<SparkplugPayload> decode_sparkplug_payload(std::string_view bytes) {
  Payload p;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("payload is not a Sparkplug B protobuf (" +
                                   std::to_string(bytes.size()) + " bytes)");
  }
  SparkplugPayload out;
  if (p.has_seq()) out.seq = p.seq();
  out.timestamp_ms = p.timestamp();
  out.metrics.reserve(static_cast<std::size_t>(p.metrics_size()));
  for (const Metric& m : p.metrics()) {
    SparkplugMetric sm;
    if (m.has_name()) sm.name = m.name();
    if (m.has_alias()) sm.alias = m.alias();
    sm.datatype = m.datatype();
    sm.timestamp_ms = m.timestamp();
    sm.value = metric_value(m);
    out.metrics.push_back(std::move(sm));
  }
  return out;
}

Result<std::string> encode_sparkplug_command(const std::vector<SparkplugWrite>& writes,
                                             std::uint64_t timestamp_ms) {
  Payload p;
  p.set_timestamp(timestamp_ms);
  for (const SparkplugWrite& w : writes) {
    Metric* m = p.add_metrics();
    m->set_name(w.name);
    if (w.alias) m->set_alias(*w.alias);
    m->set_datatype(w.datatype);
    m->set_timestamp(timestamp_ms);
    ITC_RETURN_IF_ERROR(set_command_value(w, m));
  }
  std::string out;
  if (!p.SerializeToString(&out)) return Status::Internal("cannot encode a Sparkplug payload");
  return out;
}

}  // namespace itc::mqtt
