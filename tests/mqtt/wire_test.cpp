// The mqtt plugin's wire formats, tested directly (the code linked from the plugin's
// itc_mqtt_wire library): JSON documents and paths, typing of values by the profile,
// Sparkplug topics and payloads, and the Sparkplug session rules. Fuzzing: wire_fuzz_test.
#include <QtTest>

#include "edge_node_session.hpp"
#include "json_document.hpp"
#include "sparkplug_b.pb.h"
#include "sparkplug_codec.hpp"

using namespace itc::mqtt;
using Payload = org::eclipse::tahu::protobuf::Payload;

namespace {

WireValue find(const std::string& json, const std::string& path) {
  auto doc = JsonDocument::parse(json);
  if (!doc.ok()) throw std::runtime_error(doc.status().ToString());
  auto p = JsonPath::parse(path);
  if (!p.ok()) throw std::runtime_error(p.status().ToString());
  auto v = doc->find(*p);
  if (!v.ok()) throw std::runtime_error(v.status().ToString());
  return *v;
}

std::string find_error(const std::string& json, const std::string& path) {
  auto v = JsonDocument::parse(json)->find(*JsonPath::parse(path));
  return v.ok() ? "" : v.status().message();
}

itc::v1::MetricSpec spec(itc::v1::ValueType type) {
  itc::v1::MetricSpec m;
  m.set_name("m");
  m.set_raw_metric("m_raw");
  m.set_type(type);
  return m;
}

SparkplugMetric named(const std::string& name, std::uint64_t alias, std::uint32_t type,
                      WireValue v) {
  SparkplugMetric m;
  m.name = name;
  m.alias = alias;
  m.datatype = type;
  m.value = std::move(v);
  return m;
}
SparkplugMetric aliased(std::uint64_t alias, WireValue v) {
  SparkplugMetric m;
  m.alias = alias;
  m.value = std::move(v);
  return m;
}
SparkplugPayload payload(std::optional<std::uint64_t> seq, std::vector<SparkplugMetric> metrics) {
  SparkplugPayload p;
  p.seq = seq;
  p.timestamp_ms = 1'700'000'000'000;
  p.metrics = std::move(metrics);
  return p;
}
SparkplugPayload nbirth(std::int64_t bd_seq) {
  return payload(0, {named("bdSeq", 0, kInt64, bd_seq)});
}
bool has(const SessionOutcome& o, SessionEvent::Kind kind, const std::string& text = "") {
  for (const auto& e : o.events) {
    if (e.kind == kind && (text.empty() || e.reason.find(text) != std::string::npos)) return true;
  }
  return false;
}
const SessionEvent* data_of(const SessionOutcome& o) {
  for (const auto& e : o.events)
    if (e.kind == SessionEvent::Kind::kData) return &e;
  return nullptr;
}

}  // namespace

class WireTest : public QObject {
  Q_OBJECT

 private slots:
  void jsonPathsParseOrSayWhatIsWrong() {
    auto p = JsonPath::parse("channels[2].value");
    QVERIFY(p.ok());
    QCOMPARE(p->segments().size(), std::size_t(3));
    QCOMPARE(std::get<std::size_t>(p->segments()[1]), std::size_t(2));
    QVERIFY(JsonPath::parse("a[0][1].b").ok());
    for (const char* bad : {"", "a..b", "[0]", "a[x]", "a.", "a[1", ".a", "a]b"}) {
      auto r = JsonPath::parse(bad);
      QVERIFY2(!r.ok(), bad);
      QVERIFY(!r.status().message().empty());
    }
  }

  void jsonDocumentsAreReadByPath() {
    const std::string doc =
        " {\"power\":{\"mw\":5500,\"ok\":true},\"t\":-21.5,\"e\":1e3,"
        "\"name\":\"l\\u00e9d \\\"x\\\"\",\"ch\":[{\"v\":1},{\"v\":2}],\"n\":null,"
        "\"big\":12345678901234567890} ";
    QCOMPARE(std::get<std::int64_t>(find(doc, "power.mw")), std::int64_t(5500));
    QCOMPARE(std::get<bool>(find(doc, "power.ok")), true);
    QCOMPARE(std::get<double>(find(doc, "t")), -21.5);
    QCOMPARE(std::get<double>(find(doc, "e")), 1000.0);
    QCOMPARE(std::get<std::string>(find(doc, "name")), std::string("l\xc3\xa9"
                                                                   "d \"x\""));
    QCOMPARE(std::get<std::int64_t>(find(doc, "ch[1].v")), std::int64_t(2));
    QVERIFY(std::holds_alternative<std::monostate>(find(doc, "n")));
    QCOMPARE(std::get<double>(find(doc, "big")), 12345678901234567890.0);
    QCOMPARE(find_error(doc, "power.w"), std::string("no \"w\""));
    QCOMPARE(find_error(doc, "ch[2].v"), std::string("no item [2]"));
    QCOMPARE(find_error(doc, "t.x"), std::string("no \"x\""));
    QCOMPARE(find_error(doc, "power"), std::string("is an object, not a value"));
    QCOMPARE(find_error(doc, "ch"), std::string("is an array, not a value"));
  }

  void invalidJsonIsRefusedWithTheByteOffset() {
    // Offsets are 0-based; the explanation after them is nlohmann-json's.
    const std::pair<const char*, const char*> cases[] = {
        {"", "invalid JSON at byte 0: "},           {"{\"a\":1", "invalid JSON at byte 6: "},
        {"{\"a\" 1}", "invalid JSON at byte 5: "},  {"[1,]", "invalid JSON at byte 3: "},
        {"{\"a\":01}", "invalid JSON at byte 6: "}, {"{\"a\":1} x", "invalid JSON at byte 8: "},
        {"\"\\x\"", "invalid JSON at byte 2: "},    {"\"\\ud800\"", "surrogate"},
        {"tru", "invalid JSON at byte "},           {"-", "invalid JSON at byte 1: "},
        {"1.", "invalid JSON at byte 2: "},
    };
    for (const auto& [text, expected] : cases) {
      auto doc = JsonDocument::parse(text);
      QVERIFY2(!doc.ok(), text);
      QVERIFY2(doc.status().message().find(expected) != std::string::npos,
               (std::string(text) + " -> " + doc.status().message()).c_str());
    }
    const std::string deep(100000, '[');
    auto doc = JsonDocument::parse(deep);
    QVERIFY(!doc.ok());
    QVERIFY2(doc.status().message() == "invalid JSON at byte 64: nested deeper than 64 levels",
             doc.status().message().c_str());
  }

  void valuesAreTypedAsTheProfileSays() {
    itc::v1::RawValue out;
    QVERIFY(to_raw_value(spec(itc::v1::VALUE_TYPE_INT), std::int64_t(7), &out).ok());
    QCOMPARE(out.metric(), std::string("m_raw"));
    QCOMPARE(out.raw_int(), std::int64_t(7));
    QVERIFY(to_raw_value(spec(itc::v1::VALUE_TYPE_INT), 3.0, &out).ok());
    QCOMPARE(out.raw_int(), std::int64_t(3));
    QVERIFY(!to_raw_value(spec(itc::v1::VALUE_TYPE_INT), 3.5, &out).ok());
    QVERIFY(to_raw_value(spec(itc::v1::VALUE_TYPE_BOOL), std::int64_t(1), &out).ok());
    QCOMPARE(out.raw_bool(), true);
    QVERIFY(!to_raw_value(spec(itc::v1::VALUE_TYPE_BOOL), std::int64_t(2), &out).ok());
    QVERIFY(to_raw_value(spec(itc::v1::VALUE_TYPE_DOUBLE), std::int64_t(5500), &out).ok());
    QCOMPARE(out.raw_double(), 5500.0);
    QVERIFY(to_raw_value(spec(itc::v1::VALUE_TYPE_DOUBLE), true, &out).ok());
    auto text = to_raw_value(spec(itc::v1::VALUE_TYPE_DOUBLE), std::string("n/a"), &out);
    QCOMPARE(text.message(), std::string("is text \"n/a\", not a number"));
    QCOMPARE(to_raw_value(spec(itc::v1::VALUE_TYPE_DOUBLE), std::monostate{}, &out).message(),
             std::string("is null, not a number"));
    QVERIFY(!to_raw_value(spec(itc::v1::VALUE_TYPE_DOUBLE), std::nan(""), &out).ok());
  }

  void sparkplugTopicsParse() {
    auto t = parse_sparkplug_topic("spBv1.0/plant1/DDATA/line1/lamp1");
    QVERIFY(t.ok());
    QCOMPARE(t->group, std::string("plant1"));
    QVERIFY(t->verb == SparkplugVerb::kDData);
    QCOMPARE(t->device, std::string("lamp1"));
    QCOMPARE(sparkplug_topic(*t), std::string("spBv1.0/plant1/DDATA/line1/lamp1"));
    QVERIFY(parse_sparkplug_topic("spBv1.0/plant1/NBIRTH/line1").ok());
    for (const char* bad : {"spBv1.0/plant1/NBIRTH/line1/lamp1", "spBv1.0/plant1/DDATA/line1",
                            "spBv1.0/plant1/XDATA/line1", "spBv1.0//NDATA/line1", "spBv1.0",
                            "spAv1.0/g/NDATA/e", "spBv1.0/g/NDATA/e/d/x"}) {
      QVERIFY2(!parse_sparkplug_topic(bad).ok(), bad);
    }
  }

  void commandsRoundTripTypedByTheirDatatype() {
    std::vector<SparkplugWrite> writes = {
        {"i8", 1, kInt8, -5},
        {"u8", 2, kUInt8, 200},
        {"i16", 3, kInt16, -300},
        {"u32", 4, kUInt32, 4e9},
        {"i64", 5, kInt64, -7e12},
        {"f", 6, kFloat, 1.5},
        {"d", 7, kDouble, -0.125},
        {"b", 8, kBoolean, 1},
        {"dt", std::nullopt, kDateTime, 17e11},
    };
    auto bytes = encode_sparkplug_command(writes, 42);
    QVERIFY(bytes.ok());
    auto decoded = decode_sparkplug_payload(*bytes);
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->timestamp_ms, std::uint64_t(42));
    QCOMPARE(decoded->metrics.size(), writes.size());
    const std::vector<WireValue> expected = {std::int64_t(-5),
                                             std::int64_t(200),
                                             std::int64_t(-300),
                                             std::int64_t(4000000000),
                                             std::int64_t(-7000000000000),
                                             1.5,
                                             -0.125,
                                             true,
                                             std::int64_t(1700000000000)};
    for (std::size_t i = 0; i < writes.size(); ++i) {
      QVERIFY2(decoded->metrics[i].value == expected[i], writes[i].name.c_str());
      QCOMPARE(*decoded->metrics[i].name, writes[i].name);
      QCOMPARE(decoded->metrics[i].alias, writes[i].alias);
      QCOMPARE(decoded->metrics[i].datatype, writes[i].datatype);
    }
    QVERIFY(!encode_sparkplug_command({{"u8", 1, kUInt8, 300}}, 0).ok());
    QVERIFY(!encode_sparkplug_command({{"i16", 1, kInt16, 1.5}}, 0).ok());
    QVERIFY(!encode_sparkplug_command({{"b", 1, kBoolean, 2}}, 0).ok());
    auto text = encode_sparkplug_command({{"s", 1, kString, 1}}, 0);
    QVERIFY(!text.ok());
    QVERIFY(text.status().message().find("datatype 12") != std::string::npos);
  }

  void birthsDefineAliasesAndDataIsResolvedThroughThem() {
    EdgeNodeSession s(1000);
    auto o = s.on_message(SparkplugVerb::kNBirth, "", nbirth(3), 0);
    QVERIFY(has(o, SessionEvent::Kind::kUp));
    QVERIFY(!o.rebirth);
    o = s.on_message(SparkplugVerb::kDBirth, "lamp1",
                     payload(1, {named("Light/Power", 1, kUInt32, std::int64_t(5000)),
                                 named("Light/Dim", 3, kUInt8, std::int64_t(40))}),
                     0);
    QVERIFY(has(o, SessionEvent::Kind::kUp));
    QCOMPARE(data_of(o)->values.size(), std::size_t(2));
    o = s.on_message(SparkplugVerb::kDData, "lamp1", payload(2, {aliased(3, std::int64_t(60))}), 0);
    QVERIFY(o.events.size() == 1 && data_of(o) != nullptr);
    QCOMPARE(data_of(o)->values[0].name, std::string("Light/Dim"));
    QVERIFY(data_of(o)->values[0].value == WireValue(std::int64_t(60)));
    QCOMPARE(s.birth_metric("lamp1", "Light/Dim")->alias, std::optional<std::uint64_t>(3));
    QCOMPARE(s.birth_metric("lamp1", "Light/Dim")->datatype, std::uint32_t(kUInt8));
    QVERIFY(s.birth_metric("lamp2", "Light/Dim") == nullptr);
  }

  void gapsUnknownAliasesAndEarlyDataAskForARebirthAtMostOncePerInterval() {
    EdgeNodeSession s(1000);
    auto o = s.on_message(SparkplugVerb::kDData, "lamp1", payload(5, {aliased(1, 1.0)}), 0);
    QVERIFY(has(o, SessionEvent::Kind::kError, "before the edge node's NBIRTH"));
    QVERIFY(o.rebirth);
    o = s.on_message(SparkplugVerb::kDData, "lamp1", payload(6, {aliased(1, 1.0)}), 500);
    QVERIFY(!o.rebirth);  // asked 500 ms ago
    o = s.on_message(SparkplugVerb::kDData, "lamp1", payload(7, {aliased(1, 1.0)}), 1000);
    QVERIFY(o.rebirth);

    s.on_message(SparkplugVerb::kNBirth, "", nbirth(0), 1100);  // a birth clears the backlog
    o = s.on_message(SparkplugVerb::kDData, "lamp1", payload(1, {aliased(1, 1.0)}), 1100);
    QVERIFY(has(o, SessionEvent::Kind::kError, "before the DBIRTH of device lamp1"));
    QVERIFY(o.rebirth);
    s.on_message(SparkplugVerb::kNBirth, "", nbirth(0), 1200);
    s.on_message(SparkplugVerb::kDBirth, "lamp1", payload(1, {named("P", 1, kDouble, 1.0)}), 1200);
    o = s.on_message(SparkplugVerb::kDData, "lamp1", payload(4, {aliased(1, 2.0)}), 1200);
    QVERIFY(has(o, SessionEvent::Kind::kError, "seq gap: expected 2, got 4"));
    QVERIFY(data_of(o) != nullptr);  // the message itself is fine
    QVERIFY(o.rebirth);
    o = s.on_message(SparkplugVerb::kDData, "lamp1", payload(5, {aliased(9, 2.0), aliased(1, 3.0)}),
                     1300);
    QVERIFY(has(o, SessionEvent::Kind::kError, "alias 9 is not in the birth of device lamp1"));
    QCOMPARE(data_of(o)->values.size(), std::size_t(1));
    QVERIFY(!o.rebirth);  // 100 ms after the last request
    // seq wraps from 255 to 0
    s.on_message(SparkplugVerb::kNBirth, "",
                 payload(254, {named("bdSeq", 0, kInt64, std::int64_t(0))}), 5000);
    s.on_message(SparkplugVerb::kDBirth, "lamp1", payload(255, {named("P", 1, kDouble, 1.0)}),
                 5000);
    o = s.on_message(SparkplugVerb::kDData, "lamp1", payload(0, {aliased(1, 2.0)}), 5000);
    QVERIFY(!has(o, SessionEvent::Kind::kError));
  }

  void onlyTheMatchingNdeathEndsTheSession() {
    EdgeNodeSession s(1000);
    s.on_message(SparkplugVerb::kNBirth, "", nbirth(7), 0);
    s.on_message(SparkplugVerb::kDBirth, "lamp1", payload(1, {named("P", 1, kDouble, 1.0)}), 0);
    s.on_message(SparkplugVerb::kDBirth, "lamp2", payload(2, {named("P", 1, kDouble, 1.0)}), 0);
    auto o = s.on_message(SparkplugVerb::kNDeath, "",
                          payload(std::nullopt, {named("bdSeq", 0, kInt64, std::int64_t(6))}), 0);
    QVERIFY(has(o, SessionEvent::Kind::kError, "bdSeq 6 ignored"));
    QVERIFY(!has(o, SessionEvent::Kind::kDown));
    QVERIFY(s.born());
    o = s.on_message(SparkplugVerb::kDDeath, "lamp2", payload(3, {}), 0);
    QVERIFY(has(o, SessionEvent::Kind::kDown, "DDEATH"));
    QVERIFY(!s.device_born("lamp2"));
    o = s.on_message(SparkplugVerb::kNDeath, "",
                     payload(std::nullopt, {named("bdSeq", 0, kInt64, std::int64_t(7))}), 0);
    QVERIFY(has(o, SessionEvent::Kind::kDown, "NDEATH of the edge node (bdSeq 7)"));
    QVERIFY(!s.born());
    QVERIFY(!s.device_born("lamp1"));
  }

  void aRestoredSessionContinuesWhereTheOldOneStopped() {
    EdgeNodeSession s(1000);
    s.on_message(SparkplugVerb::kNBirth, "", nbirth(2), 0);
    s.on_message(SparkplugVerb::kDBirth, "lamp1", payload(1, {named("P", 4, kFloat, 1.0)}), 0);
    EdgeNodeSession successor(1000);
    successor.restore(s.snapshot());
    auto o = successor.on_message(SparkplugVerb::kDData, "lamp1", payload(2, {aliased(4, 2.0)}), 0);
    QVERIFY(!has(o, SessionEvent::Kind::kError));
    QCOMPARE(data_of(o)->values[0].name, std::string("P"));
    QCOMPARE(successor.birth_metric("lamp1", "P")->datatype, std::uint32_t(kFloat));
  }
};

QTEST_GUILESS_MAIN(WireTest)
#include "wire_test.moc"
