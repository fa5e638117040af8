// From an authorised Command to the Modbus write that carries it out: the profile's
// ControlSpec for the action names a metric; its ModbusSource says where; the value (the
// control's fixed value, else the command's dim_level) goes back to raw units with
// raw_value_for and is encoded for the field's data type. Pure; thread-safe.
#pragma once

#include "itc/status.hpp"
#include "polled_device.hpp"

namespace itc::modbus {

// The write for `command` to `device`, or InvalidArgument with the reason to refuse it:
// the profile has no control for the action, the metric has no modbus source or lives
// in a read-only table (input registers, discrete inputs), the value is outside the
// metric's range in the profile or does not fit the data type.
Result<WriteJob> plan_write(PolledDevice& device, const v1::Command& command);

}  // namespace itc::modbus
