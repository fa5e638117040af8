// Device profiles: files → checked v1::DeviceProfile, and the catalog plugins read.
#include "host/device_profile_catalog.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "host/config_schema.hpp"
#include "itc/file_io.hpp"

namespace itc::host {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kDefaultStaleAfterMs = 60'000;

// Checks what the schema cannot say. `issue(field, message)` records one problem.
template <typename Issue>
void check_profile(v1::DeviceProfile& p, Issue&& issue) {
  if (p.name().empty()) issue("name", "required: the model's name, e.g. dimmable-lamp");
  if (p.stale_after_ms() == 0) p.set_stale_after_ms(kDefaultStaleAfterMs);
  if (p.metrics_size() == 0) issue("metrics", "a profile needs at least one metric");
  std::set<std::string> names, raw_names;
  for (int i = 0; i < p.metrics_size(); ++i) {
    const v1::MetricSpec& m = p.metrics(i);
    const std::string at = "metrics[" + std::to_string(i) + "]";
    if (m.name().empty()) issue(at + ".name", "required");
    const bool twice = !m.name().empty() && !names.insert(m.name()).second;
    if (twice) issue(at + ".name", "metric \"" + m.name() + "\" is defined twice");
    if (!raw_names.insert(raw_metric_of(m)).second && !m.name().empty() && !twice) {
      issue(at + ".raw_metric", "raw metric \"" + raw_metric_of(m) + "\" is used twice");
    }
    if (m.has_scale() && (m.scale() == 0 || !std::isfinite(m.scale()))) {
      issue(at + ".scale", "must be a finite, non-zero number");
    }
    if (!std::isfinite(m.offset())) issue(at + ".offset", "must be a finite number");
    if (m.has_min() && m.has_max() && m.min() > m.max()) {
      issue(at + ".min",
            "min (" + std::to_string(m.min()) + ") is above max (" + std::to_string(m.max()) + ")");
    }
    if (m.sources_size() > 0) {
      issue(at + ".sources",
            "is not written in a profile: give each protocol's section as a key of the metric "
            "(e.g. modbus: {function: holding_registers, address: 3})");
    }
  }
  std::set<int> actions;
  for (int i = 0; i < p.controls_size(); ++i) {
    const v1::ControlSpec& c = p.controls(i);
    const std::string at = "controls[" + std::to_string(i) + "]";
    if (c.action() != v1::ACTION_ON && c.action() != v1::ACTION_OFF &&
        c.action() != v1::ACTION_DIM) {
      issue(at + ".action", "must be on, off or dim");
    } else if (!actions.insert(c.action()).second) {
      issue(at + ".action", "this action is mapped twice");
    }
    if (find_metric(p, c.metric()) == nullptr) {
      issue(at + ".metric", "\"" + c.metric() + "\" is not a metric of this profile");
    }
  }
}

// The profile files a `device_profiles:` entry names: the file, or a directory's
// *.yaml/*.yml files in name order.
std::vector<std::string> files_of(const std::string& path) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return {path};
  for (const auto& e : fs::directory_iterator(path, ec)) {
    const std::string ext = e.path().extension().string();
    if (e.is_regular_file(ec) && (ext == ".yaml" || ext == ".yml")) {
      out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

bool parse_profile_document(const std::string& yaml_text, const std::string& file,
                            ProfileDocument* out, v1::ConfigReport* report) {
  const int before = report->issues_size();
  out->file = file;
  out->sections.clear();
  auto profile = std::make_shared<v1::DeviceProfile>();
  YAML::Node root;
  if (!load_yaml(yaml_text, file, &root, report)) return false;
  if (!root.IsMap()) {
    add_issue(report, file, mark_or_start(root), "",
              "expected a device profile (a mapping with name and metrics), got " +
                  describe_document(root));
    return false;
  }
  // A metric's keys that are no MetricSpec field are protocol sections ("modbus: {...}"),
  // kept as written until the plugins that read them are known (bind_profile_sections);
  // a key close to a field's name is a typo, reported by the mapper ("did you mean").
  std::vector<std::string> metric_fields;
  const auto* spec = v1::MetricSpec::descriptor();
  for (int i = 0; i < spec->field_count(); ++i) metric_fields.push_back(spec->field(i)->name());
  const ExtraKeyHandler section = [&](const google::protobuf::Message& owner,
                                      const std::string& path, const YAML::Node& key,
                                      const YAML::Node& value) {
    if (owner.GetDescriptor() != spec || !closest_match(key.Scalar(), metric_fields).empty()) {
      return false;
    }
    const auto open = path.rfind('[');
    if (open == std::string::npos) return false;
    const int metric = std::atoi(path.c_str() + open + 1);
    out->sections.push_back({metric, key.Scalar(), join_field(path, key.Scalar()), value});
    return true;
  };
  // What the schema refuses is reported alone: the rules below assume a mapped profile.
  if (!yaml_to_message(root, profile.get(), file, "", report, section)) return false;
  check_profile(*profile, [&](const std::string& field, const std::string& message) {
    *report->add_issues() = locate(root, field, file, "", message);
  });
  out->profile = std::move(profile);
  const bool ok = report->issues_size() == before;
  if (!ok) report->set_ok(false);
  return ok;
}

bool parse_device_profile(const std::string& yaml_text, const std::string& file,
                          v1::DeviceProfile* out, v1::ConfigReport* report) {
  ProfileDocument doc;
  if (!parse_profile_document(yaml_text, file, &doc, report)) return false;
  *out = *doc.profile;
  return true;
}

std::vector<ProfileDocument> load_device_profiles(const YAML::Node& list, const std::string& file,
                                                  const std::string& base_dir,
                                                  v1::ConfigReport* report) {
  std::map<std::string, ProfileDocument> by_name;
  if (!list.IsDefined() || list.IsNull()) return {};
  if (!list.IsSequence()) {
    add_issue(report, file, list.Mark(), "device_profiles",
              "expected a list of profile files or directories, got " + describe_node(list));
    return {};
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string field = "device_profiles[" + std::to_string(i) + "]";
    if (!list[i].IsScalar() || list[i].Scalar().empty()) {
      add_issue(report, file, list[i].Mark(), field,
                "expected the path of a profile file or directory, got " + describe_node(list[i]));
      continue;
    }
    fs::path path(list[i].Scalar());
    if (path.is_relative()) path = fs::path(base_dir) / path;
    path = path.lexically_normal();
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      add_issue(report, file, list[i].Mark(), field, "no such file or directory: " + path.string());
      continue;
    }
    for (const std::string& profile_file : files_of(path.string())) {
      // Bounded, regular files only: `/dev/zero` or a FIFO is refused, not read forever.
      auto text = read_file(profile_file);
      if (!text.ok()) {
        add_issue(report, file, list[i].Mark(), field,
                  "cannot read the profile: " + text.status().message());
        continue;
      }
      ProfileDocument doc;
      if (!parse_profile_document(*text, profile_file, &doc, report)) continue;
      const std::string name = doc.profile->name();
      auto [it, fresh] = by_name.emplace(name, std::move(doc));
      if (!fresh) {
        add_issue(report, file, list[i].Mark(), field,
                  "profile \"" + name + "\" in " + profile_file + " is already defined in " +
                      it->second.file);
      }
    }
  }
  std::vector<ProfileDocument> out;
  for (auto& [name, doc] : by_name) out.push_back(std::move(doc));
  return out;
}

Status ProfileSections::add(const std::string& plugin, const std::string& descriptor_set) {
  for (const auto& [key, type] : ConfigSchema::profile_sections(descriptor_set)) {
    if (auto it = by_key_.find(key); it != by_key_.end()) {
      if (it->second.schema.type_name() == type) continue;  // two instances of one plugin
      return Status::InvalidArgument("plugin " + plugin + " reads profile sections '" + key +
                                     "' as " + type + ", but plugin " + it->second.plugin +
                                     " reads them as " + it->second.schema.type_name());
    }
    auto schema = ConfigSchema::create(descriptor_set, type);
    if (!schema.ok()) return schema.status().WithContext("plugin " + plugin);
    by_key_.emplace(key, Reader{plugin, std::move(schema).value()});
  }
  return Status::Ok();
}

const ConfigSchema* ProfileSections::find(const std::string& key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : &it->second.schema;
}

std::vector<ProfilePtr> bind_profile_sections(const std::vector<ProfileDocument>& docs,
                                              const ProfileSections& sections,
                                              v1::ConfigReport* report) {
  std::vector<ProfilePtr> out;
  out.reserve(docs.size());
  for (const ProfileDocument& doc : docs) {
    if (doc.sections.empty()) {
      out.push_back(doc.profile);
      continue;
    }
    auto bound = std::make_shared<v1::DeviceProfile>(*doc.profile);
    for (const ProfileDocument::Section& s : doc.sections) {
      const ConfigSchema* schema = sections.find(s.key);
      if (schema == nullptr || s.metric < 0 || s.metric >= bound->metrics_size()) continue;
      auto bytes = schema->parse(s.value, doc.file, s.path, report);
      if (bytes.ok()) (*bound->mutable_metrics(s.metric)->mutable_sources())[s.key] = *bytes;
    }
    out.push_back(std::move(bound));
  }
  return out;
}

void DeviceProfileCatalog::replace(std::vector<ProfilePtr> profiles) {
  std::map<std::string, ProfilePtr, std::less<>> next;
  for (ProfilePtr& p : profiles) next[p->name()] = std::move(p);
  std::lock_guard lock(mu_);
  by_name_.swap(next);
  generation_.fetch_add(1);
}

std::shared_ptr<const v1::DeviceProfile> DeviceProfileCatalog::find(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const v1::DeviceProfile>> DeviceProfileCatalog::all() const {
  std::lock_guard lock(mu_);
  std::vector<ProfilePtr> out;
  out.reserve(by_name_.size());
  for (const auto& [name, p] : by_name_) out.push_back(p);
  return out;
}

}  // namespace itc::host
