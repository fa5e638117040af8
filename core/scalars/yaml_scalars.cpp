// See yaml_scalars.hpp. Moved here from the host's config mapper, unchanged.
#include "yaml_scalars.hpp"

#include <cctype>
#include <charconv>
#include <limits>
#include <set>

namespace itc::yaml {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<IntegerText> parse_integer(std::string_view text) {
  IntegerText out;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    out.negative = text[0] == '-';
    text.remove_prefix(1);
  }
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'o' || text[1] == 'O')) {
    base = 8;
    text.remove_prefix(2);
  }
  if (text.empty() || text.front() == '_' || text.back() == '_') return std::nullopt;
  for (char c : text) {
    if (c == '_') continue;
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    if (digit < 0 || digit >= base) return std::nullopt;
    const auto b = static_cast<std::uint64_t>(base);
    if (out.magnitude > (std::numeric_limits<std::uint64_t>::max() - digit) / b) {
      out.overflow = true;
    } else {
      out.magnitude = out.magnitude * b + static_cast<std::uint64_t>(digit);
    }
  }
  return out;
}

std::optional<double> parse_number(std::string_view text) {
  static const std::set<std::string_view> kInf = {".inf",  ".Inf",  ".INF",
                                                  "+.inf", "+.Inf", "+.INF"};
  static const std::set<std::string_view> kNegInf = {"-.inf", "-.Inf", "-.INF"};
  static const std::set<std::string_view> kNan = {".nan", ".NaN", ".NAN"};
  if (kInf.count(text)) return std::numeric_limits<double>::infinity();
  if (kNegInf.count(text)) return -std::numeric_limits<double>::infinity();
  if (kNan.count(text)) return std::numeric_limits<double>::quiet_NaN();
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty() ||
      !(std::isdigit(static_cast<unsigned char>(text.back())) || text.back() == '.')) {
    return std::nullopt;  // rejects "inf", "nan" and trailing junk that from_chars allows
  }
  double v = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), v, std::chars_format::general);
  if (ec != std::errc() || end != text.data() + text.size()) {
    if (std::optional<IntegerText> i = parse_integer(text); i && !i->overflow) {
      return static_cast<double>(i->magnitude) * (i->negative ? -1.0 : 1.0);
    }
    return std::nullopt;
  }
  return v;
}

std::optional<bool> parse_bool(std::string_view text) {
  static const std::set<std::string_view> kTrue = {"true", "True", "TRUE", "yes", "Yes",
                                                   "YES",  "on",   "On",   "ON"};
  static const std::set<std::string_view> kFalse = {"false", "False", "FALSE", "no", "No",
                                                    "NO",    "off",   "Off",   "OFF"};
  if (kTrue.count(text)) return true;
  if (kFalse.count(text)) return false;
  return std::nullopt;
}

std::optional<std::string> decode_bytes(std::string_view text) {
  std::string out;
  if (text.substr(0, 4) == "hex:") {
    text.remove_prefix(4);
    if (text.size() % 2 != 0) return std::nullopt;
    for (std::size_t i = 0; i < text.size(); i += 2) {
      int hi = hex_digit(text[i]);
      int lo = hex_digit(text[i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
  }
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t padding = 0;
  std::size_t symbols = 0;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return std::nullopt;  // data after padding
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '+') v = 62;
    if (c == '/') v = 63;
    if (v < 0) return std::nullopt;
    ++symbols;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (symbols % 4 == 1 || padding > 2 || (padding > 0 && (symbols + padding) % 4 != 0)) {
    return std::nullopt;
  }
  return out;
}

}  // namespace itc::yaml
