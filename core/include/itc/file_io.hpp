// Durable file writes: the new content replaces the old atomically (temp file, fsync,
// rename, fsync of the directory), so a crash leaves either the old file or the new
// one, never a torn one.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "itc/status.hpp"

namespace itc {

// The whole content of `path`; NotFound naming the path if it cannot be opened.
Result<std::string> read_file(const std::string& path);

// Writes `data` to `path` with permission `mode` (also applied if the file existed).
Status write_file_atomically(const std::string& path, std::string_view data, mode_t mode);

}  // namespace itc
