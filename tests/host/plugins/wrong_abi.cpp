// Test plugin built against a future ABI major: the host must refuse it before calling
// anything in it (the factory below aborts the process if it is ever called; the ELF
// constructor leaves a mark, see probe_mark.hpp).
#include <cstdlib>

#include "itc/abi.hpp"
#include "probe_mark.hpp"

namespace {
[[gnu::constructor]] void on_dlopen() { itc::testing::probe_mark("wrong-abi constructor"); }
}  // namespace

extern "C" ITC_EXPORT const struct itc_plugin_info itc_plugin_info;
extern "C" const struct itc_plugin_info itc_plugin_info = {99,
                                                           0,
                                                           sizeof(::itc_plugin_info),
                                                           "wrong-abi",
                                                           "1.0.0",
                                                           "conversion",
                                                           "",
                                                           "",
                                                           "",
                                                           itc_generated_config_descriptor,
                                                           itc_generated_config_descriptor_size,
                                                           GOOGLE_PROTOBUF_VERSION,
                                                           ITC_ABI_TOOLCHAIN,
                                                           ::itc::kSchemasVersion};
extern "C" ITC_EXPORT void* itc_plugin_create() noexcept;
extern "C" void* itc_plugin_create() noexcept { std::abort(); }
extern "C" ITC_EXPORT void itc_plugin_destroy(void*) noexcept;
extern "C" void itc_plugin_destroy(void*) noexcept { std::abort(); }
