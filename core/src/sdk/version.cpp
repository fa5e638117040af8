#include "itc/version.hpp"

namespace itc {
const char* sdk_version() { return ITC_SDK_VERSION; }
}  // namespace itc
