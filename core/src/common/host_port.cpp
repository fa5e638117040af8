#include "common/host_port.hpp"

#include <charconv>

namespace itc::net {

Result<HostPort> parse_host_port(std::string_view text, std::string_view what) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(std::string(what) + " '" + std::string(text) +
                                   "': " + std::string(why));
  };
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad("expected [ipv6]:port");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("expected host:port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("an IPv6 host needs [brackets]");
  }
  if (host.empty()) return bad("the host is empty");
  unsigned value = 0;
  auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || err != std::errc() || end != port.data() + port.size() || value > 65535) {
    return bad("port '" + std::string(port) + "' is not a number in 0..65535");
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(value), std::string(text)};
}

}  // namespace itc::net
