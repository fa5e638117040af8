#include "host/plugin_source.hpp"

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>

#include "host/config_schema.hpp"
#include "host/package.hpp"

namespace itc::host {
namespace fs = std::filesystem;

Result<OpenedPlugin> open_plugin(const PluginEntry& entry, bool developer_mode,
                                 const std::vector<std::string>& trusted_keys,
                                 const std::string& run_dir) {
  OpenedPlugin out;
  const std::string who = entry.field_path + " (" + entry.name + ")";
  if (!entry.package.empty()) {
    out.source = entry.package;
    auto pkg = verify_package(entry.package, trusted_keys);
    if (!pkg.ok()) return pkg.status().WithContext(who);
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
    const auto& m = pkg->manifest;
    const auto& info = (*lib)->info();
    if (m.name() != info.name || m.version() != info.version || m.layer() != info.layer) {
      return Status::Corruption(who + ": package manifest says " + m.name() + " " + m.version() +
                                " (" + m.layer() + ") but its library is " + info.name + " " +
                                info.version + " (" + info.layer + ")");
    }
    out.library = *lib;
    out.signed_by = pkg->signer_hex;
  } else {
    out.source = entry.library;
    if (!developer_mode) {
      return Status::PermissionDenied(
          who + ": `library: " + entry.library +
          "` is an unsigned build, loaded only in developer mode (--dev); use a signed "
          "package (`itc plugin pack` + `itc plugin sign`) and trust its vendor key");
    }
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
  static const std::regex kFieldFirst(R"(^([A-Za-z_][A-Za-z0-9_\.\[\]]*):\s*(.*)$)");
  std::smatch m;
  const std::string& msg = status.message();
  if (entry.config && std::regex_match(msg, m, kFieldFirst)) {
    v1::ConfigIssue issue =
        locate(entry.config, m[1].str(), file, entry.field_path + ".config", m[2].str());
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
