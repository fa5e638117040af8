// Validator sets on loopback for the PeerNetwork tests and benchmark: fresh Ed25519 keys,
// free ports, a frame inbox per node and a log to inspect.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "itc/crypto.hpp"
#include "itc/p2p/peer_network.hpp"
#include "itc/testing/fake_env.hpp"

namespace itc::test {

// `n` distinct ports nobody listens on right now: bind port 0 for each (all held at once,
// so the kernel cannot hand out one twice), read what it chose, close.
inline std::vector<std::uint16_t> free_ports(int n) {
  std::vector<int> fds;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < n; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      std::perror("free_ports");
      std::abort();
    }
    fds.push_back(fd);
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) ::close(fd);
  return ports;
}

// A TCP connection to 127.0.0.1:port that the test drives by hand (-1 on failure).
inline int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

// A TCP connection to 127.0.0.1:port from `source` (any 127.x.y.z: all of 127/8 is
// loopback), so one test can play many remote hosts (-1 on failure).
inline int connect_from(const char* source, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(port);
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) {
    return fd;
  }
  if (fd >= 0) ::close(fd);
  return -1;
}

// The first bytes of a TLS ClientHello that announces 512 bytes and never sends the rest.
inline constexpr unsigned char kPartialClientHello[] = {
    0x16, 0x03, 0x01, 0x02, 0x00,  // handshake record, 512 bytes
    0x01, 0x00, 0x01, 0xfc,        // ClientHello, 508 bytes
    0x03, 0x03, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a};

// A listener on 127.0.0.1:port that never accepts: the kernel completes TCP handshakes into
// its backlog and nothing ever reads — a peer that went silent. Close the fd to end it.
inline int listen_silently(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, 16) != 0) {
    std::perror("listen_silently");
    std::abort();
  }
  return fd;
}

inline crypto::Ed25519PrivateKey new_key() {
  auto key = crypto::Ed25519PrivateKey::generate();
  if (!key.ok()) std::abort();
  return std::move(*key);
}

// n validators named A, B, C, ... on 127.0.0.1, each with its own key and port.
struct ValidatorSet {
  std::vector<crypto::Ed25519PrivateKey> keys;
  std::vector<net::PeerSpec> specs;

  explicit ValidatorSet(int n) {
    std::vector<std::uint16_t> ports = free_ports(n);
    for (int i = 0; i < n; ++i) {
      keys.push_back(new_key());
      specs.push_back({std::string(1, static_cast<char>('A' + i)), keys.back().public_key(),
                       "127.0.0.1:" + std::to_string(ports[i])});
    }
  }

  // Options for validator `self`, with test-sized back-off.
  net::PeerNetworkOptions options(std::uint32_t self) const {
    net::PeerNetworkOptions o;
    o.self_index = self;
    o.peers = specs;
    o.identity = keys[self];
    o.reconnect_min = std::chrono::milliseconds(20);
    o.reconnect_max = std::chrono::milliseconds(200);
    o.handshake_timeout = std::chrono::milliseconds(2000);
    return o;
  }
};

// Frames received by one node, by sender. Thread-safe.
class Inbox {
 public:
  net::PeerNetwork::FrameHandler handler() {
    return [this](std::uint32_t from, std::string frame) {
      std::lock_guard lock(mu_);
      frames_[from].push_back(std::move(frame));
    };
  }
  std::vector<std::string> from(std::uint32_t peer) const {
    std::lock_guard lock(mu_);
    auto it = frames_.find(peer);
    return it == frames_.end() ? std::vector<std::string>{} : it->second;
  }
  std::size_t count(std::uint32_t peer) const {
    std::lock_guard lock(mu_);
    auto it = frames_.find(peer);
    return it == frames_.end() ? 0 : it->second.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::uint32_t, std::vector<std::string>> frames_;
};

// A running validator: its log and inbox outlive its network. With ITC_TEST_VERBOSE set,
// its log is printed when it goes away.
struct Node {
  ~Node() {
    net.reset();
    if (std::getenv("ITC_TEST_VERBOSE") != nullptr) {
      std::fprintf(stderr, "--- node log\n%s", log_text().c_str());
    }
  }
  testing::FakeLogger log;
  Inbox inbox;
  std::unique_ptr<net::PeerNetwork> net;

  net::PeerStats stats_of(std::uint32_t peer) const { return net->stats().at(peer); }
  // True if one log line contains every needle.
  bool logged(std::initializer_list<std::string_view> needles) const {
    for (const std::string& line : log.lines()) {
      bool all = true;
      for (std::string_view n : needles) all = all && line.find(n) != std::string::npos;
      if (all) return true;
    }
    return false;
  }
  std::string log_text() const {
    std::string out;
    for (const std::string& line : log.lines()) out += line + "\n";
    return out;
  }
};

// Starts a node with `options`, delivering to its inbox unless `handler` is given; null
// (and the status in `error`) if start() failed.
inline std::unique_ptr<Node> start_node(net::PeerNetworkOptions options,
                                        net::PeerNetwork::FrameHandler handler = {},
                                        Status* error = nullptr) {
  auto node = std::make_unique<Node>();
  if (!handler) handler = node->inbox.handler();
  auto net = net::PeerNetwork::start(std::move(options), std::move(handler), node->log);
  if (!net.ok()) {
    if (error != nullptr) *error = net.status();
    return nullptr;
  }
  node->net = std::move(*net);
  return node;
}

}  // namespace itc::test
