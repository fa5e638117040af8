#include "host/listen_address.hpp"

#include <arpa/inet.h>

#include "common/host_port.hpp"

namespace itc::host {

bool ListenAddress::loopback() const {
  in_addr v4{};
  if (::inet_pton(AF_INET, ip.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, ip.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  auto parsed = net::parse_host_port(text, "admin listen address");
  if (!parsed.ok()) return parsed.status();
  ListenAddress out{parsed->host == "localhost" ? "127.0.0.1" : parsed->host, parsed->port};
  unsigned char buf[sizeof(in6_addr)];
  if (::inet_pton(AF_INET, out.ip.c_str(), buf) != 1 &&
      ::inet_pton(AF_INET6, out.ip.c_str(), buf) != 1) {
    return Status::InvalidArgument("admin listen address: '" + parsed->host +
                                   "' is not an IP address (the admin API binds one of this "
                                   "machine's addresses, e.g. 127.0.0.1, 0.0.0.0 or [::1])");
  }
  return out;
}

}  // namespace itc::host
