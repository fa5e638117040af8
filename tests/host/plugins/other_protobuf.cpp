// Test plugin whose record says it was compiled against another protobuf release: the
// host must refuse it, naming both versions, before calling anything in it (the factory
// below aborts the process if it is ever called).
#include <cstdlib>

#include "itc/abi.hpp"

extern "C" ITC_EXPORT const struct itc_plugin_info itc_plugin_info;
extern "C" const struct itc_plugin_info itc_plugin_info = {::itc::kAbiMajor,
                                                           ::itc::kAbiMinor,
                                                           sizeof(::itc_plugin_info),
                                                           "other-protobuf",
                                                           "1.0.0",
                                                           "cognition",
                                                           "",
                                                           "",
                                                           "",
                                                           itc_generated_config_descriptor,
                                                           itc_generated_config_descriptor_size,
                                                           GOOGLE_PROTOBUF_VERSION + 1,
                                                           ITC_ABI_TOOLCHAIN,
                                                           ::itc::kSchemasVersion};
extern "C" ITC_EXPORT void* itc_plugin_create() noexcept;
extern "C" void* itc_plugin_create() noexcept { std::abort(); }
extern "C" ITC_EXPORT void itc_plugin_destroy(void*) noexcept;
extern "C" void itc_plugin_destroy(void*) noexcept { std::abort(); }
