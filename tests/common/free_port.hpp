// A loopback TCP port that is free now and that this process has not handed out before.
// Tests bind it later (a node's admin or peer port), so the kernel could return the same
// ephemeral port to two calls in a row; remembering what was handed out rules that out
// (a 4-validator genesis once listed one port twice and the test failed at start).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>

namespace itc::testing {

inline std::uint16_t free_port() {
  static std::mutex mu;
  static std::set<std::uint16_t> handed_out;
  std::lock_guard lock(mu);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) break;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
    ::close(fd);
    if (!ok) break;
    if (handed_out.insert(ntohs(a.sin_port)).second) return ntohs(a.sin_port);
  }
  std::fprintf(stderr, "free_port: no free loopback port\n");
  std::abort();
}

}  // namespace itc::testing
