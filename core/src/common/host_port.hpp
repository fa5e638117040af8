// "host:port" as written in a validator set or a listen option, split and checked once at
// start so that a typo is reported before any link is attempted.
// Thread safety: plain values and a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "itc/status.hpp"

namespace itc::net {

struct HostPort {
  std::string host;  // an IP literal (IPv6 without brackets) or a DNS name
  std::uint16_t port = 0;
  std::string text;  // as given, for messages
};

// Accepts "1.2.3.4:7001", "[::1]:7001" and "validator-0.itc:7001". InvalidArgument names
// `what` (e.g. "peers[2] (C): address") and the text.
Result<HostPort> parse_host_port(std::string_view text, std::string_view what);

}  // namespace itc::net
