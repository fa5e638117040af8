#include "host/plugin_name.hpp"

namespace itc::host {

namespace {
bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
}  // namespace

std::string clipped(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  return std::string(text.substr(0, max)) + "...";
}

std::string plugin_name_problem(std::string_view name) {
  if (name.empty()) return "a plugin name must not be empty";
  if (name.size() > kMaxPluginNameLength) {
    return "a plugin name is at most " + std::to_string(kMaxPluginNameLength) +
           " characters, got " + std::to_string(name.size());
  }
  bool well_formed = name.front() != '-';
  for (char c : name) well_formed = well_formed && is_name_char(c);
  if (!well_formed) {
    return "a plugin name is lowercase letters, digits and '-' (starting with a letter or "
           "digit), got '" +
           clipped(name) + "'";
  }
  return {};
}

Status check_plugin_name(std::string_view name, const std::string& what) {
  std::string problem = plugin_name_problem(name);
  if (problem.empty()) return Status::Ok();
  return Status::InvalidArgument(what + ": " + problem);
}

}  // namespace itc::host
