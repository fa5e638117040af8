// Fuzzing of the mqtt plugin's two decoders (the code linked from itc_mqtt_wire) with
// random, mutated and truncated input, fixed seeds, tens of thousands of cases: the
// Sparkplug B payload decoder (and the session rules applied to whatever decodes) and
// JSON document parsing with path extraction. No crash, no hang, and every refusal is a
// clear error.
#include <QtTest>
#include <random>

#include "edge_node_session.hpp"
#include "json_document.hpp"
#include "sparkplug_b.pb.h"
#include "sparkplug_codec.hpp"

using namespace itc::mqtt;
using Payload = org::eclipse::tahu::protobuf::Payload;

namespace {

std::string valid_dbirth_bytes() {
  Payload p;
  p.set_timestamp(1'700'000'000'000);
  p.set_seq(1);
  auto* m = p.add_metrics();
  m->set_name("Light/Power");
  m->set_alias(1);
  m->set_datatype(kUInt32);
  m->set_long_value(5000);
  m = p.add_metrics();
  m->set_name("Light/Temperature");
  m->set_alias(2);
  m->set_datatype(kInt16);
  m->set_int_value(static_cast<std::uint32_t>(-35));
  m = p.add_metrics();
  m->set_name("Light/Label");
  m->set_datatype(kString);
  m->set_string_value("hall A");
  return p.SerializeAsString();
}

itc::v1::MetricSpec double_metric() {
  itc::v1::MetricSpec m;
  m.set_name("m");
  return m;
}

}  // namespace

class WireFuzzTest : public QObject {
  Q_OBJECT

 private slots:
  void fuzzSparkplugDecoderAndSessionWithRandomMutatedAndTruncatedBytes() {
    std::mt19937_64 rng(20261124);
    const std::string valid = valid_dbirth_bytes();
    std::size_t decoded = 0, refused = 0;
    auto feed = [&](const std::string& bytes) {
      auto p = decode_sparkplug_payload(bytes);
      if (!p.ok()) {
        ++refused;
        QVERIFY(p.status().message().find("not a Sparkplug B protobuf") != std::string::npos);
        return;
      }
      ++decoded;
      EdgeNodeSession s(1000);  // whatever decodes must be safe to apply in any state
      s.on_message(SparkplugVerb::kNBirth, "", *p, 0);
      s.on_message(SparkplugVerb::kDBirth, "d", *p, 0);
      s.on_message(SparkplugVerb::kDData, "d", *p, 0);
      s.on_message(SparkplugVerb::kNDeath, "", *p, 0);
    };
    for (std::size_t n = 0; n <= valid.size(); ++n) feed(valid.substr(0, n));
    for (int i = 0; i < 100000; ++i) {
      std::string bytes;
      if (i % 2 == 0) {  // random bytes
        bytes.resize(rng() % 64);
        for (char& c : bytes) c = static_cast<char>(rng());
      } else {  // the valid payload with a few bytes changed, cut somewhere
        bytes = valid;
        for (int k = 0, flips = 1 + static_cast<int>(rng() % 4); k < flips; ++k) {
          bytes[rng() % bytes.size()] = static_cast<char>(rng());
        }
        bytes.resize(rng() % (bytes.size() + 1));
      }
      feed(bytes);
    }
    qInfo("sparkplug fuzz: %zu decoded, %zu refused", decoded, refused);
    QVERIFY(decoded > 500 && refused > 1000);  // both paths were exercised
  }

  void fuzzJsonExtractionWithRandomMutatedAndTruncatedText() {
    std::mt19937_64 rng(4242);
    const std::string valid =
        "{\"power\":{\"active_w\":980.5},\"energy\":{\"total_wh\":123456},"
        "\"ch\":[1,{\"v\":[true,null]}],\"s\":\"a\\u00e9\\n\"}";
    const auto paths = {"power.active_w", "energy.total_wh", "ch[1].v[0]", "ch[0]", "s", "x.y[3]"};
    std::vector<JsonPath> compiled;
    for (const char* p : paths) compiled.push_back(*JsonPath::parse(p));
    std::size_t parsed = 0, refused = 0;
    auto feed = [&](const std::string& text) {
      auto doc = JsonDocument::parse(text);
      if (!doc.ok()) {
        ++refused;
        QVERIFY(doc.status().message().rfind("invalid JSON at byte ", 0) == 0);
        return;
      }
      ++parsed;
      for (const JsonPath& p : compiled) {
        auto v = doc->find(p);
        if (v.ok()) {
          itc::v1::RawValue out;
          (void)to_raw_value(double_metric(), *v, &out);
        } else {
          QVERIFY(!v.status().message().empty());
        }
      }
    };
    for (std::size_t n = 0; n < valid.size(); ++n) {  // every proper prefix is incomplete
      auto doc = JsonDocument::parse(valid.substr(0, n));
      QVERIFY2(!doc.ok(), valid.substr(0, n).c_str());
    }
    feed(valid);
    const std::string alphabet = "{}[]\":,.-+eE0123456789 \\/untrlfasx\x01\xff";
    for (int i = 0; i < 100000; ++i) {
      std::string text;
      if (i % 2 == 0) {
        text.resize(rng() % 48);
        for (char& c : text) c = alphabet[rng() % alphabet.size()];
      } else {
        text = valid;
        for (int k = 0, edits = 1 + static_cast<int>(rng() % 3); k < edits; ++k) {
          text[rng() % text.size()] = alphabet[rng() % alphabet.size()];
        }
        if (rng() % 2) text.resize(rng() % (text.size() + 1));
      }
      feed(text);
    }
    qInfo("json fuzz: %zu parsed, %zu refused", parsed, refused);
    QVERIFY(parsed > 100 && refused > 1000);
  }
};

QTEST_GUILESS_MAIN(WireFuzzTest)
#include "wire_fuzz_test.moc"
