#include "host/plugin_source.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <utility>

#include "host/config_schema.hpp"
#include "host/package.hpp"
#include "host/plugin_name.hpp"

namespace itc::host {
namespace fs = std::filesystem;

namespace {

// "field.path[0]: message" -> {"field.path[0]", "message"}; nullopt if the message does
// not start with a field name and a colon.
std::optional<std::pair<std::string, std::string>> split_field_first(const std::string& msg) {
  auto is_first = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  auto is_rest = [&](char c) {
    return is_first(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '[' ||
           c == ']';
  };
  if (msg.empty() || !is_first(msg.front())) return std::nullopt;
  std::size_t i = 1;
  while (i < msg.size() && is_rest(msg[i])) ++i;
  if (i == msg.size() || msg[i] != ':') return std::nullopt;
  std::size_t rest = msg.find_first_not_of(" \t\r\n\f\v", i + 1);
  return std::make_pair(msg.substr(0, i), rest == std::string::npos ? "" : msg.substr(rest));
}

}  // namespace

Result<OpenedPlugin> open_plugin(const PluginEntry& entry, bool developer_mode,
                                 const std::vector<std::string>& trusted_keys,
                                 const std::string& run_dir) {
  // The name becomes file names under run_dir and the data dir: checked before any file
  // operation.
  ITC_RETURN_IF_ERROR(check_plugin_name(entry.name, entry.field_path + ".name"));
  OpenedPlugin out;
  const std::string who = entry.field_path + " (" + entry.name + ")";
  if (!entry.package.empty()) {
    out.source = entry.package;
    // Signature, trust, library digest and the manifest's ABI and identity: all checked
    // before any code of the library runs (dlopen runs its ELF constructors).
    auto pkg = verify_package(entry.package, trusted_keys);
    if (!pkg.ok()) return pkg.status().WithContext(who);
    const auto& m = pkg->manifest;
    if (m.name() != entry.name) {
      return Status::InvalidArgument(who + ": the package is plugin '" + m.name() + "', not '" +
                                     entry.name + "'");
    }
    // Stage the verified bytes; PluginLibrary::open makes its own unique copy to load.
    std::error_code ec;
    fs::create_directories(run_dir, ec);
    std::random_device rd;
    std::string staged =
        (fs::path(run_dir) / (entry.name + "-pkg-" + std::to_string(rd()) + ".so")).string();
    {
      std::ofstream f(staged, std::ios::binary | std::ios::trunc);
      f.write(pkg->library.data(), static_cast<std::streamsize>(pkg->library.size()));
      if (!f) return Status::Unavailable(who + ": cannot write " + staged);
    }
    auto lib = PluginLibrary::open(staged, run_dir);
    fs::remove(staged, ec);
    if (!lib.ok()) return lib.status().WithContext(who);
    ITC_RETURN_IF_ERROR(check_library_matches_manifest((*lib)->info(), m, who));
    out.library = *lib;
    out.signed_by = pkg->signer_hex;
  } else {
    out.source = entry.library;
    if (!developer_mode) {
      return Status::PermissionDenied(
          who + ": `library: " + clipped(entry.library) +
          "` is an unsigned build, loaded only in developer mode (--dev); use a signed "
          "package (`itc plugin pack` + `itc plugin sign`) and trust its vendor key");
    }
    // Developer mode trusts the file: dlopen runs its ELF constructors before the info
    // record can be read and checked.
    auto lib = PluginLibrary::open(entry.library, run_dir);
    if (!lib.ok()) return lib.status().WithContext(who);
    out.library = *lib;
    out.signed_by = "unsigned (developer mode)";
  }
  if (out.library->info().name != entry.name) {
    return Status::InvalidArgument(who + ": the library is plugin '" + out.library->info().name +
                                   "', not '" + entry.name + "'");
  }
  return out;
}

Result<std::string> parse_plugin_config(const PluginInfo& info, const PluginEntry& entry,
                                        const std::string& file, v1::ConfigReport* report) {
  const std::string prefix = entry.field_path + ".config";
  if (info.config_type.empty()) {
    if (entry.config && !entry.config.IsNull() && entry.config.size() > 0) {
      add_issue(report, file, entry.config.Mark(), prefix,
                "plugin " + info.name + " takes no configuration");
      return Status::InvalidArgument("plugin " + info.name + " takes no configuration");
    }
    return std::string();
  }
  auto schema = ConfigSchema::create(info.config_descriptor, info.config_type);
  if (!schema.ok()) return schema.status().WithContext("plugin " + info.name);
  return schema->parse(entry.config, file, prefix, report);
}

v1::ConfigIssue locate_plugin_error(const PluginEntry& entry, const std::string& file,
                                    const Status& status) {
  const std::string& msg = status.message();
  if (auto split = split_field_first(msg); entry.config && split) {
    v1::ConfigIssue issue =
        locate(entry.config, split->first, file, entry.field_path + ".config", split->second);
    // No `config:` written (a required field missing): the entry's own line.
    if (issue.line() == 0) issue.set_line(static_cast<std::uint32_t>(entry.line));
    return issue;
  }
  v1::ConfigIssue issue;
  issue.set_file(file);
  issue.set_line(static_cast<std::uint32_t>(entry.line));
  issue.set_field(entry.field_path);
  issue.set_message(msg);
  return issue;
}

}  // namespace itc::host
