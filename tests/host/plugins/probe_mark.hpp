// Lets a test plugin say that its code ran: appends `what` and a newline to the file
// named by $ITC_TEST_PROBE_FILE (nothing if unset). Tests use it to see whether the host
// ran any code of a library it should have refused.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace itc::testing {

inline void probe_mark(const char* what) {
  const char* path = std::getenv("ITC_TEST_PROBE_FILE");
  if (path == nullptr || *path == '\0') return;
  if (std::FILE* f = std::fopen(path, "a")) {
    std::fputs(what, f);
    std::fputc('\n', f);
    std::fclose(f);
  }
}

}  // namespace itc::testing
