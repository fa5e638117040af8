// The admin API's listen address, parsed once for both the start of the admin server and
// the config check (config_file.cpp), so `--check-config` refuses exactly what start does.
// Thread safety: a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "itc/status.hpp"

namespace itc::host {

struct ListenAddress {
  std::string ip;          // an IPv4 or IPv6 literal (no brackets); "localhost" becomes 127.0.0.1
  std::uint16_t port = 0;  // 0: any free port

  // True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104: only this machine can connect.
  bool loopback() const;
};

// "127.0.0.1:8740", "[::1]:0", "0.0.0.0:8740" or "localhost:8740". The host must be an IP
// address of this machine's interfaces, not a DNS name: the server binds, it does not
// resolve. InvalidArgument naming the address and what is wrong with it.
Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace itc::host
