// Device profiles: files → checked v1::DeviceProfile, and the catalog plugins read.
#include "host/device_profile_catalog.hpp"

#include <algorithm>
#include <cmath>
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
    if (m.has_mqtt()) {
      if (m.mqtt().topic().empty()) issue(at + ".mqtt.topic", "required");
      if (m.mqtt().topic().find_first_of("+#") != std::string::npos) {
        issue(at + ".mqtt.topic", "wildcards (+, #) are not allowed in a device topic");
      }
      if (m.mqtt().json_path().empty()) issue(at + ".mqtt.json_path", "required");
    }
    if (m.has_sparkplug() && m.sparkplug().metric().empty()) {
      issue(at + ".sparkplug.metric", "required");
    }
    if (m.has_modbus()) {
      const v1::ModbusSource& mb = m.modbus();
      const bool bits = mb.function() == v1::MODBUS_FUNCTION_COILS ||
                        mb.function() == v1::MODBUS_FUNCTION_DISCRETE_INPUTS;
      if (mb.function() == v1::MODBUS_FUNCTION_UNSPECIFIED) {
        issue(at + ".modbus.function",
              "required: coils, discrete_inputs, holding_registers or input_registers");
      }
      if (bits && mb.data_type() != v1::MODBUS_DATA_TYPE_UNSPECIFIED &&
          mb.data_type() != v1::MODBUS_DATA_TYPE_BOOL) {
        issue(at + ".modbus.data_type", "coils and discrete inputs hold single bits: use bool");
      }
      const std::uint32_t need = bits ? 1 : modbus_register_count(mb.data_type());
      if (mb.count() != 0 && mb.count() != need) {
        issue(at + ".modbus.count", "the data type takes " + std::to_string(need) +
                                        (bits ? " bit" : " register(s)") + ", not " +
                                        std::to_string(mb.count()));
      }
      if (mb.address() + need > 65536) {
        issue(at + ".modbus.address", "must leave room for the value below 65536");
      }
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

bool parse_device_profile(const std::string& yaml_text, const std::string& file,
                          v1::DeviceProfile* out, v1::ConfigReport* report) {
  const int before = report->issues_size();
  YAML::Node root;
  if (!load_yaml(yaml_text, file, &root, report)) return false;
  if (!root.IsMap()) {
    add_issue(report, file, mark_or_start(root), "",
              "expected a device profile (a mapping with name and metrics), got " +
                  describe_document(root));
    return false;
  }
  // What the schema refuses is reported alone: the rules below assume a mapped profile.
  if (!yaml_to_message(root, out, file, "", report)) return false;
  check_profile(*out, [&](const std::string& field, const std::string& message) {
    *report->add_issues() = locate(root, field, file, "", message);
  });
  const bool ok = report->issues_size() == before;
  if (!ok) report->set_ok(false);
  return ok;
}

std::vector<ProfilePtr> load_device_profiles(const YAML::Node& list, const std::string& file,
                                             const std::string& base_dir,
                                             v1::ConfigReport* report) {
  std::map<std::string, std::pair<ProfilePtr, std::string>> by_name;
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
      auto profile = std::make_shared<v1::DeviceProfile>();
      if (!parse_device_profile(*text, profile_file, profile.get(), report)) continue;
      auto [it, fresh] = by_name.emplace(profile->name(), std::make_pair(profile, profile_file));
      if (!fresh) {
        add_issue(report, file, list[i].Mark(), field,
                  "profile \"" + profile->name() + "\" in " + profile_file +
                      " is already defined in " + it->second.second);
      }
    }
  }
  std::vector<ProfilePtr> out;
  for (auto& [name, entry] : by_name) out.push_back(std::move(entry.first));
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
