#include "read_plan.hpp"

#include <algorithm>
#include <optional>

#include "itc/services/device_profiles.hpp"

namespace itc::modbus {

Result<std::vector<PlannedField>> modbus_fields(const v1::DeviceProfile& profile) {
  std::vector<PlannedField> fields;
  for (int i = 0; i < profile.metrics_size(); ++i) {
    const v1::MetricSpec& m = profile.metrics(i);
    const std::optional<ModbusSource> source = profile_section<ModbusSource>(m, kProfileSection);
    if (!source) continue;
    auto layout = layout_of(*source);
    if (!layout.ok()) {
      return layout.status().WithContext("metrics[" + std::to_string(i) + "] (" + m.name() + ")");
    }
    fields.push_back({i, *layout});
  }
  if (fields.empty()) {
    return Status::InvalidArgument("profile " + profile.name() +
                                   " has no metric with a modbus source");
  }
  return fields;
}

std::vector<ReadRequest> plan_reads(std::vector<PlannedField> fields, const PlanLimits& limits) {
  std::sort(fields.begin(), fields.end(), [](const PlannedField& a, const PlannedField& b) {
    if (a.layout.table != b.layout.table) return a.layout.table < b.layout.table;
    if (a.layout.address != b.layout.address) return a.layout.address < b.layout.address;
    return a.metric < b.metric;
  });
  std::vector<ReadRequest> plan;
  std::uint32_t end = 0;  // one past the current request's last register (bit)
  for (PlannedField& f : fields) {
    const bool bits = is_bit_table(f.layout.table);
    const std::uint32_t limit = bits ? kMaxBitsPerRead : kMaxRegistersPerRead;
    const std::uint32_t gap = bits ? limits.max_gap_bits : limits.max_gap_registers;
    const std::uint32_t start = f.layout.address;
    const std::uint32_t stop = start + f.layout.width;
    if (!plan.empty()) {
      ReadRequest& cur = plan.back();
      const std::uint32_t merged_end = std::max(end, stop);
      if (cur.table == f.layout.table && start <= end + gap && merged_end - cur.address <= limit) {
        end = merged_end;
        cur.count = static_cast<std::uint16_t>(end - cur.address);
        cur.fields.push_back(f);
        continue;
      }
    }
    ReadRequest next;
    next.table = f.layout.table;
    next.address = f.layout.address;
    next.count = f.layout.width;
    end = stop;
    next.fields.push_back(f);
    plan.push_back(std::move(next));
  }
  return plan;
}

std::vector<ReadRequest> split_fields(const ReadRequest& request) {
  std::vector<ReadRequest> parts;
  for (const PlannedField& f : request.fields) {
    parts.push_back({f.layout.table, f.layout.address, f.layout.width, {f}});
  }
  return parts;
}

std::string describe(const ReadRequest& request) {
  return table_name(request.table) + " " + std::to_string(request.address) + ".." +
         std::to_string(request.address + request.count - 1);
}

}  // namespace itc::modbus
