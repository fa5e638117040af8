// DeviceDirectory: the host's view of every device it has heard of, folded from the bus:
// registrations (who the device is, its profile and owner), readings (last seen, last
// value of each metric, out-of-range values and device faults) and DeviceReports from
// connection plugins (link up/down, errors with their reason). Answers
// GET /v1/devices[/{id}] and produces the `device` events.
//
// State: UNSPECIFIED until the device is heard from; ONLINE on a reading or a link-up;
// OFFLINE on a link-down (until the next reading or link-up); STALE when an ONLINE device
// has sent nothing for its profile's stale_after_ms (checked by sweep()).
//
// Memory: per device its id, profile name and one small record per metric (metric
// names and units are shared), so 100,000 lamps take a few tens of MB.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "itc/services/device_profiles.hpp"
#include "itc/v1/node.pb.h"

namespace itc::host {

struct DeviceFilter {
  std::optional<v1::DeviceState> state;
  bool fault_only = false;
  std::string query;  // substring of the id or profile, case-insensitive
  std::size_t offset = 0;
  std::size_t limit = 100;
};

class DeviceDirectory {
 public:
  // `profiles` gives stale_after_ms and metric ranges; may be null (defaults apply).
  explicit DeviceDirectory(const DeviceProfiles* profiles) : profiles_(profiles) {}

  // Each returns the device's new status when it is worth an event (a state or fault
  // change, or the first error after a quiet second), else nothing.
  std::optional<v1::DeviceStatus> on_registration(const v1::DeviceRegistration& reg,
                                                  std::int64_t now_us);
  std::optional<v1::DeviceStatus> on_reading(const v1::Reading& reading, std::int64_t now_us);
  std::optional<v1::DeviceStatus> on_report(const v1::DeviceReport& report, std::int64_t now_us);
  // The device's own verdict on a command (topics::kCommandResults), kept as its
  // last_command; nothing for a device the directory does not know.
  std::optional<v1::DeviceStatus> on_command_result(const v1::CommandResult& result,
                                                    std::int64_t now_us);
  // Marks ONLINE devices STALE that have been silent too long; returns them.
  std::vector<v1::DeviceStatus> sweep(std::int64_t now_us);

  v1::DeviceList list(const DeviceFilter& filter) const;
  std::optional<v1::DeviceStatus> get(const std::string& device_id) const;

  struct Counts {
    std::uint32_t total = 0, online = 0, stale = 0, offline = 0, fault = 0;
  };
  Counts counts() const;

 private:
  struct MetricName {
    std::string metric;
    std::string unit;
    // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
    auto operator<=>(const MetricName&) const = default;
  };
  struct LastValue {
    const MetricName* name = nullptr;
    double value = 0;
    std::int64_t sampled_at_us = 0;
    std::uint64_t frame_seq = 0;
    v1::Quality quality = v1::QUALITY_UNSPECIFIED;
  };
  struct Entry {
    std::string profile;
    std::string source;
    std::string owner_public_key;
    v1::DeviceState state = v1::DEVICE_STATE_UNSPECIFIED;
    bool fault = false;
    std::int64_t state_since_us = 0;
    std::int64_t last_seen_us = 0;
    std::int64_t last_event_us = 0;
    std::uint64_t readings = 0;
    std::uint64_t errors = 0;
    std::string last_error;
    std::int64_t last_error_at_us = 0;
    std::string last_command;
    std::int64_t last_command_at_us = 0;
    std::vector<LastValue> last;
  };

  Entry& entry(const std::string& device_id, std::int64_t now_us);  // mu_ held
  void set_state(Entry& e, v1::DeviceState state, std::int64_t now_us);
  void record_error(Entry& e, std::string reason, std::int64_t now_us);
  std::optional<v1::DeviceStatus> event_if(const std::string& id, Entry& e, bool changed,
                                           std::int64_t now_us) const;
  v1::DeviceStatus status_of(const std::string& id, const Entry& e) const;
  std::int64_t stale_after_us(const Entry& e) const;
  std::string range_error(const Entry& e, const v1::Reading& r) const;

  const DeviceProfiles* profiles_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> devices_;
  std::set<MetricName> names_;  // interned; node addresses are stable
};

}  // namespace itc::host
