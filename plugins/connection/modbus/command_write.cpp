#include "command_write.hpp"

#include <cmath>
#include <optional>

#include "itc/services/device_profiles.hpp"

namespace itc::modbus {
namespace {

std::string number(double v) {
  if (v == std::nearbyint(v) && std::fabs(v) < 1e15)
    return std::to_string(static_cast<long long>(v));
  return std::to_string(v);
}

}  // namespace

Result<WriteJob> plan_write(PolledDevice& device, const v1::Command& command) {
  const v1::DeviceProfile& profile = *device.profile;
  const std::string action = v1::Action_Name(command.action());
  const v1::ControlSpec* control = find_control(profile, command.action());
  if (control == nullptr) {
    return Status::InvalidArgument("profile " + profile.name() + " has no control for " + action);
  }
  const v1::MetricSpec* metric = find_metric(profile, control->metric());
  if (metric == nullptr) {
    return Status::InvalidArgument("profile " + profile.name() + ": the control for " + action +
                                   " names metric " + control->metric() + ", which it lacks");
  }
  const std::optional<ModbusSource> source =
      profile_section<ModbusSource>(*metric, kProfileSection);
  if (!source) {
    return Status::InvalidArgument("metric " + metric->name() + " of profile " + profile.name() +
                                   " has no modbus source to write");
  }
  auto layout = layout_of(*source);
  if (!layout.ok()) return layout.status().WithContext("metric " + metric->name());
  if (!is_writable(layout->table)) {
    return Status::InvalidArgument("metric " + metric->name() + " is in " +
                                   table_name(layout->table) + ", which are read-only");
  }
  const double value = control->has_value() ? control->value() : command.dim_level();
  if ((metric->has_min() && value < metric->min()) ||
      (metric->has_max() && value > metric->max())) {
    return Status::InvalidArgument(metric->name() + " " + number(value) +
                                   " is outside the profile's range " +
                                   (metric->has_min() ? number(metric->min()) : "") + ".." +
                                   (metric->has_max() ? number(metric->max()) : ""));
  }
  const double raw = raw_value_for(*metric, value);

  WriteJob job;
  job.device = &device;
  job.command = command;
  job.layout = *layout;
  const std::string where = table_name(layout->table) + " " + std::to_string(layout->address);
  if (layout->table == MODBUS_FUNCTION_COILS) {
    auto bit = encode_bit(raw);
    if (!bit.ok()) return bit.status().WithContext(metric->name() + " (" + where + ")");
    job.bit = *bit;
    job.what = "coil " + std::to_string(layout->address) + " := " + (job.bit ? "1" : "0");
  } else {
    auto regs = encode_registers(*layout, raw);
    if (!regs.ok()) return regs.status().WithContext(metric->name() + " (" + where + ")");
    job.registers = std::move(regs).value();
    job.what = where + " := " + number(raw) + " (" + type_name(layout->type) + ")";
  }
  return job;
}

}  // namespace itc::modbus
