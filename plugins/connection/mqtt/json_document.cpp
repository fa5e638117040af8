#include "json_document.hpp"

#include <charconv>
#include <limits>
#include <optional>

namespace itc::mqtt {

Result<JsonPath> JsonPath::parse(std::string_view text) {
  JsonPath path;
  path.text_ = std::string(text);
  if (text.empty()) return Status::InvalidArgument("empty path");
  std::size_t i = 0;
  bool expect_key = true;
  while (i < text.size()) {
    if (text[i] == '[') {
      const std::size_t close = text.find(']', i);
      if (close == std::string_view::npos) {
        return Status::InvalidArgument("unclosed '[' at offset " + std::to_string(i));
      }
      const std::string_view digits = text.substr(i + 1, close - i - 1);
      std::size_t index = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
        return Status::InvalidArgument("index at offset " + std::to_string(i) + " is not a number");
      }
      if (expect_key && path.segments_.empty()) {
        return Status::InvalidArgument("a path starts with a key, not an index");
      }
      path.segments_.emplace_back(index);
      i = close + 1;
      expect_key = false;
      continue;
    }
    if (!expect_key) {
      if (text[i] != '.') {
        return Status::InvalidArgument("expected '.' or '[' at offset " + std::to_string(i));
      }
      ++i;
    }
    const std::size_t end = text.find_first_of(".[]", i);
    const std::string_view key = text.substr(i, end == std::string_view::npos ? end : end - i);
    if (key.empty()) return Status::InvalidArgument("empty key at offset " + std::to_string(i));
    path.segments_.emplace_back(std::string(key));
    i += key.size();
    expect_key = false;
  }
  if (expect_key) return Status::InvalidArgument("path ends with '.'");
  return path;
}

namespace {

// What nlohmann's parse_error says after its "[json.exception.parse_error.101] " tag.
std::string parse_error_text(const nlohmann::json::parse_error& e) {
  std::string what = e.what();
  if (std::size_t tag = what.find("] "); tag != std::string::npos) what.erase(0, tag + 2);
  return what;
}

WireValue scalar_of(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::boolean:
      return v.get<bool>();
    case nlohmann::json::value_t::number_integer:
      return v.get<std::int64_t>();
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = v.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return static_cast<std::int64_t>(u);
      }
      return static_cast<double>(u);
    }
    case nlohmann::json::value_t::number_float:
      return v.get<double>();
    case nlohmann::json::value_t::string:
      return v.get<std::string>();
    default:
      return std::monostate{};
  }
}

// The byte at which `text` first nests deeper than `max_depth`, if it does. Brackets
// inside strings do not count; the text need not be valid JSON (the parser judges that).
std::optional<std::size_t> too_deep_at(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<JsonDocument> JsonDocument::parse(std::string_view text) {
  if (auto at = too_deep_at(text, kMaxDepth)) {
    return Status::InvalidArgument("invalid JSON at byte " + std::to_string(*at) +
                                   ": nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  JsonDocument doc;
  try {
    doc.root_ = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann counts the bytes read, the offending one included.
    const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
    return Status::InvalidArgument("invalid JSON at byte " + std::to_string(at) + ": " +
                                   parse_error_text(e));
  } catch (const std::exception& e) {
    return Status::InvalidArgument("invalid JSON at byte 0: " + std::string(e.what()));
  }
  return doc;
}

Result<WireValue> JsonDocument::find(const JsonPath& path) const {
  const nlohmann::json* at = &root_;
  for (const JsonPath::Segment& seg : path.segments()) {
    if (const auto* key = std::get_if<std::string>(&seg)) {
      auto it = at->is_object() ? at->find(*key) : at->end();
      if (!at->is_object() || it == at->end()) return Status::NotFound("no \"" + *key + "\"");
      at = &*it;
    } else {
      const std::size_t index = std::get<std::size_t>(seg);
      if (!at->is_array() || index >= at->size()) {
        return Status::NotFound("no item [" + std::to_string(index) + "]");
      }
      at = &(*at)[index];
    }
  }
  if (at->is_structured()) {
    return Status::InvalidArgument(std::string("is an ") + (at->is_object() ? "object" : "array") +
                                   ", not a value");
  }
  return scalar_of(*at);
}

}  // namespace itc::mqtt
