// Test plugins "cycle-a" and "cycle-b": each requires the service the other provides.
#include "itc/abi.hpp"
#include "itc/plugin.hpp"

namespace {
class Idle final : public itc::Plugin {
 public:
  itc::Status initialise(itc::HostEnv&, std::string_view) noexcept override { return {}; }
  itc::Status start() noexcept override { return {}; }
  itc::Status drain() noexcept override { return {}; }
  void stop() noexcept override {}
};
}  // namespace

ITC_PLUGIN(Idle, CYCLE_NAME, "1.0.0", "cognition", "", CYCLE_PROVIDES, CYCLE_REQUIRES)
