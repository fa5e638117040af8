#include "host/device_directory.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace itc::host {

namespace {

constexpr std::int64_t kDefaultStaleAfterUs = 60'000'000;
constexpr std::int64_t kErrorEventGapUs = 1'000'000;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

DeviceDirectory::Entry& DeviceDirectory::entry(const std::string& device_id, std::int64_t now_us) {
  auto it = devices_.find(device_id);
  if (it == devices_.end()) {
    it = devices_.emplace(device_id, Entry{}).first;
    it->second.state_since_us = now_us;
  }
  return it->second;
}

void DeviceDirectory::set_state(Entry& e, v1::DeviceState state, std::int64_t now_us) {
  if (e.state == state) return;
  e.state = state;
  e.state_since_us = now_us;
}

void DeviceDirectory::record_error(Entry& e, std::string reason, std::int64_t now_us) {
  ++e.errors;
  e.last_error = std::move(reason);
  e.last_error_at_us = now_us;
}

std::optional<v1::DeviceStatus> DeviceDirectory::event_if(const std::string& id, Entry& e,
                                                          bool changed, std::int64_t now_us) const {
  if (!changed) return std::nullopt;
  e.last_event_us = now_us;
  return status_of(id, e);
}

std::optional<v1::DeviceStatus> DeviceDirectory::on_registration(const v1::DeviceRegistration& reg,
                                                                 std::int64_t now_us) {
  std::lock_guard lock(mu_);
  Entry& e = entry(reg.device_id(), now_us);
  const bool changed = e.profile != reg.profile();
  e.profile = reg.profile();
  e.owner_public_key = reg.owner_public_key();
  return event_if(reg.device_id(), e, changed, now_us);
}

std::string DeviceDirectory::range_error(const Entry& e, const v1::Reading& r) const {
  std::string text = r.metric() + " = " + number(r.value()) +
                     (r.unit().empty() ? "" : " " + r.unit()) + " is outside the valid range";
  if (profiles_ == nullptr) return text;
  auto profile = profiles_->find(e.profile);
  const v1::MetricSpec* m = profile ? find_metric(*profile, r.metric()) : nullptr;
  if (m == nullptr) return text;
  return text + " [" + (m->has_min() ? number(m->min()) : "-inf") + ", " +
         (m->has_max() ? number(m->max()) : "inf") + "] of profile " + e.profile;
}

std::optional<v1::DeviceStatus> DeviceDirectory::on_reading(const v1::Reading& r,
                                                            std::int64_t now_us) {
  std::lock_guard lock(mu_);
  Entry& e = entry(r.device_id(), now_us);
  const v1::DeviceState before = e.state;
  const bool fault_before = e.fault;
  e.last_seen_us = now_us;
  ++e.readings;
  set_state(e, v1::DEVICE_STATE_ONLINE, now_us);
  e.fault = r.quality() == v1::QUALITY_DEVICE_FAULT;
  bool erred = false;
  if (r.quality() == v1::QUALITY_OUT_OF_RANGE) {
    record_error(e, range_error(e, r), now_us);
    erred = now_us - e.last_event_us >= kErrorEventGapUs;
  }
  auto it = std::find_if(e.last.begin(), e.last.end(),
                         [&](const LastValue& v) { return v.name->metric == r.metric(); });
  if (it == e.last.end() || it->name->unit != r.unit()) {
    const MetricName* name = &*names_.insert(MetricName{r.metric(), r.unit()}).first;
    if (it == e.last.end()) {
      it = e.last.insert(e.last.end(), LastValue{});
    }
    it->name = name;
  }
  it->value = r.value();
  it->sampled_at_us = r.sampled_at_us();
  it->frame_seq = r.frame_seq();
  it->quality = r.quality();
  return event_if(r.device_id(), e, before != e.state || fault_before != e.fault || erred, now_us);
}

std::optional<v1::DeviceStatus> DeviceDirectory::on_report(const v1::DeviceReport& report,
                                                           std::int64_t now_us) {
  if (report.device_id().empty()) return std::nullopt;
  std::lock_guard lock(mu_);
  Entry& e = entry(report.device_id(), now_us);
  const v1::DeviceState before = e.state;
  if (!report.source().empty()) e.source = report.source();
  if (!report.profile().empty()) e.profile = report.profile();
  if (report.link() == v1::DeviceReport::LINK_UP) {
    set_state(e, v1::DEVICE_STATE_ONLINE, now_us);
    e.last_seen_us = std::max(e.last_seen_us, now_us);
  } else if (report.link() == v1::DeviceReport::LINK_DOWN) {
    set_state(e, v1::DEVICE_STATE_OFFLINE, now_us);
  }
  bool erred = false;
  if (!report.error().empty()) {
    record_error(e, report.error(), now_us);
    erred = now_us - e.last_event_us >= kErrorEventGapUs;
  }
  return event_if(report.device_id(), e, before != e.state || erred, now_us);
}

std::optional<v1::DeviceStatus> DeviceDirectory::on_command_result(const v1::CommandResult& result,
                                                                   std::int64_t now_us) {
  std::lock_guard lock(mu_);
  auto it = devices_.find(result.device_id());
  if (it == devices_.end()) return std::nullopt;
  Entry& e = it->second;
  const std::string nonce = "nonce " + std::to_string(result.nonce());
  e.last_command =
      result.accepted() ? "accepted " + nonce : "refused " + nonce + ": " + result.reason();
  e.last_command_at_us = now_us;
  return event_if(result.device_id(), e, true, now_us);
}

std::int64_t DeviceDirectory::stale_after_us(const Entry& e) const {
  if (profiles_ != nullptr) {
    if (auto p = profiles_->find(e.profile); p && p->stale_after_ms() > 0) {
      return static_cast<std::int64_t>(p->stale_after_ms()) * 1000;
    }
  }
  return kDefaultStaleAfterUs;
}

std::vector<v1::DeviceStatus> DeviceDirectory::sweep(std::int64_t now_us) {
  std::vector<v1::DeviceStatus> out;
  std::lock_guard lock(mu_);
  std::string cached_profile;
  std::int64_t cached_after = kDefaultStaleAfterUs;
  for (auto& [id, e] : devices_) {
    if (e.state != v1::DEVICE_STATE_ONLINE) continue;
    if (e.profile != cached_profile || cached_profile.empty()) {
      cached_profile = e.profile;
      cached_after = stale_after_us(e);
    }
    if (now_us - e.last_seen_us > cached_after) {
      set_state(e, v1::DEVICE_STATE_STALE, now_us);
      e.last_event_us = now_us;
      out.push_back(status_of(id, e));
    }
  }
  return out;
}

v1::DeviceStatus DeviceDirectory::status_of(const std::string& id, const Entry& e) const {
  v1::DeviceStatus s;
  s.set_device_id(id);
  s.set_profile(e.profile);
  s.set_state(e.state);
  s.set_fault(e.fault);
  s.set_source(e.source);
  s.set_state_since_us(e.state_since_us);
  s.set_last_seen_us(e.last_seen_us);
  s.set_readings(e.readings);
  s.set_errors(e.errors);
  s.set_last_error(e.last_error);
  s.set_last_error_at_us(e.last_error_at_us);
  s.set_owner_public_key(e.owner_public_key);
  s.set_last_command(e.last_command);
  s.set_last_command_at_us(e.last_command_at_us);
  for (const LastValue& v : e.last) {
    v1::Reading* r = s.add_last_readings();
    r->set_device_id(id);
    r->set_metric(v.name->metric);
    r->set_unit(v.name->unit);
    r->set_value(v.value);
    r->set_quality(v.quality);
    r->set_sampled_at_us(v.sampled_at_us);
    r->set_frame_seq(v.frame_seq);
  }
  return s;
}

v1::DeviceList DeviceDirectory::list(const DeviceFilter& f) const {
  v1::DeviceList out;
  out.set_offset(static_cast<std::uint32_t>(f.offset));
  const std::string query = lower(f.query);
  std::size_t matched = 0;
  std::lock_guard lock(mu_);
  for (const auto& [id, e] : devices_) {
    if (f.state && e.state != *f.state) continue;
    if (f.fault_only && !e.fault) continue;
    if (!query.empty() && lower(id).find(query) == std::string::npos &&
        lower(e.profile).find(query) == std::string::npos) {
      continue;
    }
    if (matched >= f.offset && static_cast<std::size_t>(out.devices_size()) < f.limit) {
      *out.add_devices() = status_of(id, e);
    }
    ++matched;
  }
  out.set_total(static_cast<std::uint32_t>(matched));
  return out;
}

std::optional<v1::DeviceStatus> DeviceDirectory::get(const std::string& device_id) const {
  std::lock_guard lock(mu_);
  auto it = devices_.find(device_id);
  if (it == devices_.end()) return std::nullopt;
  return status_of(it->first, it->second);
}

DeviceDirectory::Counts DeviceDirectory::counts() const {
  Counts c;
  std::lock_guard lock(mu_);
  for (const auto& [id, e] : devices_) {
    ++c.total;
    if (e.state == v1::DEVICE_STATE_ONLINE) ++c.online;
    if (e.state == v1::DEVICE_STATE_STALE) ++c.stale;
    if (e.state == v1::DEVICE_STATE_OFFLINE) ++c.offline;
    if (e.fault) ++c.fault;
  }
  return c;
}

}  // namespace itc::host
