// ITC_EXPORT: marks a declaration as part of a library's exported (dynamic) symbols when
// the library is built with hidden visibility (-fvisibility=hidden), as plugins are. The
// plugin entry points in itc/abi.hpp use it; nothing else in a plugin needs to be visible.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define ITC_EXPORT __attribute__((visibility("default")))
#else
#define ITC_EXPORT
#endif
