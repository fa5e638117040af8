// YAML scalars as the node reads them, shared by the host's config mapper
// (core/src/host/config_schema.cpp) and Studio's config forms
// (studio/src/config/config_fields.cpp), so that a form accepts exactly what the node
// will. Pure functions over text: no YAML parser, no Qt, safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace itc::yaml {

// An integer as written: sign and magnitude, so every int64 and uint64 value fits.
struct IntegerText {
  bool negative = false;
  std::uint64_t magnitude = 0;
  bool overflow = false;  // the magnitude does not fit in 64 bits
};

// Decimal, 0x hex, 0o octal (YAML 1.2 core schema), with an optional sign and '_' digit
// separators. nullopt if `text` is not an integer at all (no surrounding spaces).
std::optional<IntegerText> parse_integer(std::string_view text);

// A decimal number, or .inf / -.inf / .nan (YAML spellings); integers in any of
// parse_integer's forms too. nullopt if `text` is not a number.
std::optional<double> parse_number(std::string_view text);

// true/True/TRUE, yes/Yes/YES, on/On/ON and their false/no/off counterparts.
std::optional<bool> parse_bool(std::string_view text);

// "hex:0a1b..." (an even number of hex digits) or standard base64 (padding optional,
// whitespace ignored). nullopt if `text` is neither.
std::optional<std::string> decode_bytes(std::string_view text);

}  // namespace itc::yaml
