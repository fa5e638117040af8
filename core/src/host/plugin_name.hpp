// The plugin-name grammar, in one place: a plugin's name is 1..64 of [a-z0-9-], starting
// with a letter or digit. Names become file names (data_dir/plugins/NAME, staged copies),
// metric labels and log fields, so every name from outside — a config file, an admin
// request, a library's info record, a package manifest — is checked here before use.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "itc/status.hpp"

namespace itc::host {

inline constexpr std::size_t kMaxPluginNameLength = 64;

// Why `name` is not a plugin name ("" if it is one). The reason never echoes more than
// a short prefix of the name.
std::string plugin_name_problem(std::string_view name);

inline bool is_plugin_name(std::string_view name) { return plugin_name_problem(name).empty(); }

// InvalidArgument "<what>: <reason>" unless `name` is a plugin name.
Status check_plugin_name(std::string_view name, const std::string& what);

// At most `max` characters of `text`, with "..." when cut: for echoing outside values.
std::string clipped(std::string_view text, std::size_t max = 60);

}  // namespace itc::host
