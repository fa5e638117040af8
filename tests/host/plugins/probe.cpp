// Test plugin "probe": records when its ELF constructor and its factory run (see
// probe_mark.hpp), so tests can check that the host ran nothing of a library it refused.
#include "itc/abi.hpp"
#include "itc/plugin.hpp"
#include "probe_mark.hpp"

namespace {

[[gnu::constructor]] void on_dlopen() { itc::testing::probe_mark("constructor"); }

class Probe final : public itc::Plugin {
 public:
  Probe() { itc::testing::probe_mark("create"); }
  itc::Status initialise(itc::HostEnv&, std::string_view) noexcept override { return {}; }
  itc::Status start() noexcept override { return {}; }
  itc::Status drain() noexcept override { return {}; }
  void stop() noexcept override {}
};

}  // namespace

ITC_PLUGIN(Probe, "probe", "1.0.0", "cognition", "", "", "")
