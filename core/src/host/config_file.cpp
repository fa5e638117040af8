// The node's YAML file: structure, defaults and path resolution. See config_file.hpp.
#include "host/config_file.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <string_view>

#include "host/admin_certificate.hpp"
#include "host/disk_watermark.hpp"
#include "host/listen_address.hpp"
#include "host/plugin_name.hpp"
#include "itc/file_io.hpp"

namespace itc::host {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kTopLevelKeys = {"node", "device_profiles", "plugins"};
const std::vector<std::string> kPluginKeys = {"name", "package", "library", "config"};

std::string resolve_path(const fs::path& base, const std::string& p) {
  if (p.empty()) return p;
  fs::path path(p);
  if (path.is_relative()) path = base / path;
  return path.lexically_normal().string();
}

bool is_hex_key(const std::string& s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

// "host:port" with port 0..65535 ("[v6]:port" for IPv6), or "off".
bool is_listen_address(const std::string& s) {
  if (s == "off") return true;
  const std::size_t colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  const std::string_view host = std::string_view(s).substr(0, colon);
  const std::string_view port = std::string_view(s).substr(colon + 1);
  auto all = [](std::string_view t, auto pred) {
    return !t.empty() && std::all_of(t.begin(), t.end(), [&](unsigned char c) { return pred(c); });
  };
  const bool host_ok =
      host.size() > 2 && host.front() == '[' && host.back() == ']'
          ? all(host.substr(1, host.size() - 2),
                [](unsigned char c) { return std::isxdigit(c) || c == ':' || c == '.'; })
          : all(host, [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '-'; });
  if (!host_ok || port.size() > 5 || !all(port, [](unsigned char c) { return std::isdigit(c); })) {
    return false;
  }
  return std::stoul(std::string(port)) <= 65535;
}

// What the admin server refuses at start (a DNS name, say), refused here too.
void check_admin_listen(const YAML::Node& node_yaml, const std::string& file,
                        const std::string& listen, v1::ConfigReport* report) {
  if (listen == "off" || listen.size() > kMaxListenLength || !is_listen_address(listen)) {
    return;  // "off", or reported already
  }
  auto parsed = parse_listen_address(listen);
  if (parsed.ok()) return;
  *report->add_issues() =
      locate(node_yaml, "admin.listen", file, "node", std::string(parsed.status().message()));
  report->set_ok(false);
}

// admin.tls: paths resolved against the config's folder; a pair that would not serve
// (missing file, key not matching, certificate expired) refused with the file and reason;
// plain HTTP off loopback refused unless insecure_plain_http says it is meant.
void check_admin_tls(const YAML::Node& node_yaml, const fs::path& base, const std::string& file,
                     v1::AdminConfig* admin, v1::ConfigReport* report) {
  auto issue = [&](const std::string& field, const std::string& message) {
    *report->add_issues() = locate(node_yaml, field, file, "node", message);
    report->set_ok(false);
  };
  v1::AdminTls* tls = admin->mutable_tls();
  tls->set_cert_file(resolve_path(base, tls->cert_file()));
  tls->set_key_file(resolve_path(base, tls->key_file()));
  tls->set_client_ca_file(resolve_path(base, tls->client_ca_file()));
  const bool https = !tls->cert_file().empty() || !tls->key_file().empty();
  if (https) {
    if (tls->cert_file().empty()) return issue("admin.tls", "key_file is set but cert_file is not");
    if (tls->key_file().empty()) return issue("admin.tls", "cert_file is set but key_file is not");
    if (auto loaded = load_admin_tls(*tls); !loaded.ok()) {
      const std::string& m = loaded.status().message();
      const char* field =
          m.find(tls->key_file()) != std::string::npos ? "admin.tls.key_file"
          : !tls->client_ca_file().empty() && m.find(tls->client_ca_file()) != std::string::npos
              ? "admin.tls.client_ca_file"
              : "admin.tls.cert_file";
      issue(field, m);
    }
    return;
  }
  if (!tls->client_ca_file().empty()) {
    return issue("admin.tls", "client_ca_file needs cert_file and key_file (mTLS is over HTTPS)");
  }
  auto address = parse_listen_address(admin->listen());
  if (admin->listen() != "off" && address.ok() && !address->loopback() &&
      !admin->insecure_plain_http()) {
    issue("admin.listen", "'" + admin->listen() +
                              "' is not a loopback address and admin.tls is not set: the API "
                              "would take tokens in clear over the network; set admin.tls "
                              "(cert_file, key_file), or admin.insecure_plain_http: true if "
                              "that is meant");
  }
}

// Finds `key` in a mapping, with the key's mark (null mark if absent).
YAML::Node find_key(const YAML::Node& map, const std::string& key, YAML::Mark* key_mark) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) {
      if (key_mark) *key_mark = it->first.Mark();
      return it->second;
    }
  }
  if (key_mark) *key_mark = YAML::Mark::null_mark();
  return YAML::Node(YAML::NodeType::Undefined);
}

// Unknown and duplicate keys of a mapping whose keys are a fixed set. Returns false if any.
bool check_keys(const YAML::Node& map, const std::vector<std::string>& known,
                const std::string& path, const std::string& file, const std::string& what,
                v1::ConfigReport* report) {
  bool ok = true;
  std::map<std::string, int> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      add_issue(report, file, key.Mark(), path,
                "a mapping key must be a plain name, got " + describe_node(key));
      ok = false;
      continue;
    }
    const std::string& name = key.Scalar();
    auto [pos, fresh] = seen.emplace(name, key.Mark().line + 1);
    if (!fresh) {
      add_issue(report, file, key.Mark(), key_field(path, name),
                "duplicate key " + shown_key(name) + " (first at line " +
                    std::to_string(pos->second) + ")");
      ok = false;
      continue;
    }
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string message = "unknown key " + shown_key(name) + " in " + what;
      if (std::string guess = closest_match(name, known); !guess.empty()) {
        message += "; did you mean '" + guess + "'?";
      } else {
        message += "; known keys:";
        for (const std::string& k : known) message += " " + k;
      }
      add_issue(report, file, key.Mark(), key_field(path, name), message);
      ok = false;
    }
  }
  return ok;
}

// False (and an issue at `field`, not echoing the value) if `value` is longer than `max`.
bool within_limit(const YAML::Node& yaml, const std::string& field, const std::string& value,
                  std::size_t max, const std::string& file, v1::ConfigReport* report) {
  if (value.size() <= max) return true;
  *report->add_issues() =
      locate(yaml, field, file, "node",
             "is " + std::to_string(value.size()) + " characters long; at most " +
                 std::to_string(max) + " are allowed");
  report->set_ok(false);
  return false;
}

// The `node:` section: mapping, defaults, then checks that need the whole section.
void parse_node_section(const YAML::Node& yaml, const fs::path& base, const std::string& file,
                        NodeFile* out, v1::ConfigReport* report) {
  v1::NodeConfig& node = out->node;
  yaml_to_message(yaml, &node, file, "node", report);
  if (node.name().empty()) node.set_name(kDefaultNodeName);
  if (node.data_dir().empty()) node.set_data_dir(kDefaultDataDir);
  node.set_data_dir(resolve_path(base, node.data_dir()));
  if (node.admin().listen().empty()) node.mutable_admin()->set_listen(kDefaultAdminListen);
  if (node.bus_queue_capacity() == 0) node.set_bus_queue_capacity(kDefaultBusQueueCapacity);
  if (Status s = normalize_disk_watermarks(node.mutable_disk()); !s.ok()) {
    // "disk.<field>: <what>"
    const std::string& m = s.message();
    const std::size_t colon = m.find(": ");
    *report->add_issues() = locate(yaml, m.substr(0, colon), file, "node", m.substr(colon + 2));
    report->set_ok(false);
  }

  within_limit(yaml, "name", node.name(), kMaxNodeNameLength, file, report);
  within_limit(yaml, "data_dir", node.data_dir(), kMaxPathLength, file, report);
  if (within_limit(yaml, "admin.listen", node.admin().listen(), kMaxListenLength, file, report) &&
      !is_listen_address(node.admin().listen())) {
    v1::ConfigIssue issue = locate(
        yaml, "admin.listen", file, "node",
        "expected \"host:port\" (port 0..65535) or \"off\", got '" + node.admin().listen() + "'");
    *report->add_issues() = issue;
    report->set_ok(false);
  }
  check_admin_listen(yaml, file, node.admin().listen(), report);
  check_admin_tls(yaml, base, file, node.mutable_admin(), report);
  for (int i = 0; i < node.trusted_vendor_keys_size(); ++i) {
    std::string* key = node.mutable_trusted_vendor_keys(i);
    const std::string field = "trusted_vendor_keys[" + std::to_string(i) + "]";
    if (!within_limit(yaml, field, *key, kMaxPathLength, file, report)) continue;
    if (is_hex_key(*key)) {
      for (char& c : *key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      continue;
    }
    const std::string path = resolve_path(base, *key);
    std::error_code ec;
    if (key->empty() || !fs::is_regular_file(path, ec)) {
      *report->add_issues() =
          locate(yaml, field, file, "node",
                 "expected 64 hex digits (an Ed25519 public key) or the path of a PEM "
                 "public key file; no such file: " +
                     path);
      report->set_ok(false);
      continue;
    }
    *key = path;
  }
}

// One item of `plugins:`.
void parse_plugin_entry(const YAML::Node& item, std::size_t index, const fs::path& base,
                        const std::string& file, std::map<std::string, int>* names, NodeFile* out,
                        v1::ConfigReport* report) {
  const std::string path = "plugins[" + std::to_string(index) + "]";
  if (!item.IsMap()) {
    add_issue(report, file, item.Mark(), path,
              "expected a mapping with name and package (or library), got " + describe_node(item));
    return;
  }
  check_keys(item, kPluginKeys, path, file, "a plugin entry", report);
  PluginEntry entry;
  entry.field_path = path;
  entry.line = item.Mark().line + 1;

  YAML::Mark key_mark;
  const YAML::Node name = find_key(item, "name", &key_mark);
  if (!name.IsDefined() || name.IsNull()) {
    add_issue(report, file, item.Mark(), path + ".name", "every plugin needs a name");
  } else if (!name.IsScalar()) {
    add_issue(report, file, name.Mark(), path + ".name",
              "expected a plugin name, got " + describe_node(name));
  } else if (std::string problem = plugin_name_problem(name.Scalar()); !problem.empty()) {
    add_issue(report, file, name.Mark(), path + ".name", problem);
  } else {
    entry.name = name.Scalar();
    auto [pos, fresh] = names->emplace(entry.name, name.Mark().line + 1);
    if (!fresh) {
      add_issue(report, file, name.Mark(), path + ".name",
                "duplicate plugin name '" + entry.name + "' (first at line " +
                    std::to_string(pos->second) + ")");
    }
  }

  auto path_value = [&](const char* key, std::string* target) {
    YAML::Mark mark;
    const YAML::Node v = find_key(item, key, &mark);
    if (!v.IsDefined() || v.IsNull()) return false;
    if (!v.IsScalar() || v.Scalar().empty()) {
      add_issue(report, file, v.Mark(), path + "." + key,
                "expected a file path, got " + describe_node(v));
      return true;
    }
    if (v.Scalar().size() > kMaxPathLength) {
      add_issue(report, file, v.Mark(), path + "." + key,
                "is " + std::to_string(v.Scalar().size()) + " characters long; at most " +
                    std::to_string(kMaxPathLength) + " are allowed");
      return true;
    }
    *target = resolve_path(base, v.Scalar());
    return true;
  };
  const bool has_package = path_value("package", &entry.package);
  const bool has_library = path_value("library", &entry.library);
  if (has_package && has_library) {
    add_issue(report, file, item.Mark(), path,
              "give either 'package' (a signed .itcpkg) or 'library' (a .so, developer mode "
              "only), not both");
  } else if (!has_package && !has_library) {
    add_issue(report, file, item.Mark(), path,
              "missing 'package' (a signed .itcpkg) or 'library' (a .so, developer mode only)");
  }
  // reset(), not operator=: yaml-cpp's assignment writes through to the referenced node.
  entry.config.reset(find_key(item, "config", nullptr));
  if (!entry.config.IsDefined()) entry.config.reset(YAML::Node(YAML::NodeType::Null));
  out->plugins.push_back(std::move(entry));
}

}  // namespace

Result<NodeFile> parse_node_file(const std::string& yaml_text, const std::string& file_label,
                                 const std::string& base_dir, v1::ConfigReport* report) {
  v1::ConfigReport local;
  if (report == nullptr) report = &local;
  const int issues_before = report->issues_size();
  NodeFile out;
  out.path = file_label;
  std::error_code ec;
  const fs::path base = fs::absolute(base_dir.empty() ? "." : base_dir, ec).lexically_normal();
  out.dir = base.string();

  YAML::Node root;
  if (!load_yaml(yaml_text, file_label, &root, report)) {
    return Status::InvalidArgument(format_report(*report));
  }
  if (!root.IsMap()) {
    add_issue(report, file_label, mark_or_start(root), "",
              root.IsNull()
                  ? "the file is empty; expected a mapping with 'node' and 'plugins'"
                  : "expected a mapping with 'node' and 'plugins', got " + describe_document(root));
    return Status::InvalidArgument(format_report(*report));
  }
  check_keys(root, kTopLevelKeys, "", file_label, "the node file", report);

  parse_node_section(find_key(root, "node", nullptr), base, file_label, &out, report);
  out.profiles =
      load_device_profiles(find_key(root, "device_profiles", nullptr), file_label, out.dir, report);

  const YAML::Node plugins = find_key(root, "plugins", nullptr);
  if (plugins.IsDefined() && !plugins.IsNull()) {
    if (!plugins.IsSequence()) {
      add_issue(report, file_label, plugins.Mark(), "plugins",
                "expected a list of plugin entries, got " + describe_node(plugins));
    } else {
      std::map<std::string, int> names;
      for (std::size_t i = 0; i < plugins.size(); ++i) {
        parse_plugin_entry(plugins[i], i, base, file_label, &names, &out, report);
      }
    }
  }
  report->set_ok(report->issues_size() == 0);
  if (report->issues_size() > issues_before) {
    return Status::InvalidArgument(format_report(*report));
  }
  return out;
}

Result<NodeFile> load_node_file(const std::string& path, v1::ConfigReport* report) {
  v1::ConfigReport local;
  if (report == nullptr) report = &local;
  auto text = read_file(path);
  if (!text.ok()) {
    add_issue(report, path, YAML::Mark::null_mark(), "",
              "cannot read the config file: " + text.status().message());
    return Status::NotFound(format_report(*report));
  }
  std::error_code ec;
  const fs::path dir = fs::absolute(path, ec).parent_path();
  return parse_node_file(*text, path, dir.string(), report);
}

}  // namespace itc::host
