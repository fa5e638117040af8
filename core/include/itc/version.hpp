// The SDK's version and ABI, as compiled into libitc-sdk (may differ from the headers a
// plugin was built with; the ABI record is what the host checks).
#pragma once

#include "itc/export.hpp"

namespace itc {
ITC_EXPORT const char* sdk_version();
}
