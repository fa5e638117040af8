// Bounded file reads and durable file writes. Reads take regular files only, up to a
// size cap, so a path from a config (`/dev/zero`, a FIFO, a huge log) cannot hang the
// node or exhaust its memory. Writes replace the old content atomically (temp file,
// fsync, rename, fsync of the directory), so a crash leaves either the old file or the
// new one, never a torn one.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "itc/export.hpp"
#include "itc/status.hpp"

namespace itc {

// The cap for files a config names: the config itself, device profiles, keys, genesis,
// password and token files.
inline constexpr std::size_t kMaxConfigFileBytes = std::size_t{4} << 20;  // 4 MiB
// The cap for data files: plugin packages and libraries, journals, exported blocks.
inline constexpr std::size_t kMaxDataFileBytes = std::size_t{1} << 30;  // 1 GiB

// The whole content of `path`, a regular file (symlinks followed) of at most `max_bytes`.
// NotFound if it cannot be opened; InvalidArgument if it is not a regular file (a
// directory, device, FIFO or socket) or is larger than `max_bytes`. Errors name the path,
// never the content.
ITC_EXPORT Result<std::string> read_file(const std::string& path,
                                         std::size_t max_bytes = kMaxConfigFileBytes);

// OK if `path` opens for reading and is a regular file of at most `max_bytes`, with
// read_file's errors otherwise: for a file another library reads itself (TLS files).
ITC_EXPORT Status check_readable_file(const std::string& path,
                                      std::size_t max_bytes = kMaxConfigFileBytes);

// Writes `data` to `path` with permission `mode` (also applied if the file existed).
ITC_EXPORT Status write_file_atomically(const std::string& path, std::string_view data,
                                        mode_t mode);

}  // namespace itc
