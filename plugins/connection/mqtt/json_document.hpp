// JsonDocument: a JSON text (RFC 8259) parsed once (by nlohmann-json, Debian's
// nlohmann-json3-dev), from which a device's metrics are read by JsonPath ("power.mw",
// "channels[2].value"). For untrusted payloads: nesting is limited to kMaxDepth, every
// error says what was wrong and where, nothing throws out of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "itc/status.hpp"
#include "wire_value.hpp"

namespace itc::mqtt {

// Dotted object keys, each optionally followed by [index] items: a.b[0][1].c
class JsonPath {
 public:
  using Segment = std::variant<std::string, std::size_t>;  // key or array index
  // InvalidArgument naming the problem, e.g. "empty key at offset 3".
  static Result<JsonPath> parse(std::string_view text);
  const std::vector<Segment>& segments() const { return segments_; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<Segment> segments_;
};

class JsonDocument {
 public:
  static constexpr int kMaxDepth = 64;

  // InvalidArgument "invalid JSON at byte N: <what the parser expected>" if `text` is not
  // one complete JSON value, or nests deeper than kMaxDepth.
  static Result<JsonDocument> parse(std::string_view text);

  // The scalar at `path`. NotFound "no \"<key>\"" / "no item [i]" naming the first part
  // of the path that is missing; InvalidArgument if the path ends at an object or array.
  Result<WireValue> find(const JsonPath& path) const;

 private:
  nlohmann::json root_;
};

}  // namespace itc::mqtt
