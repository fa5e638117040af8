// A node that lies: an HTTP server on loopback answering GET requests with the bodies
// the test set for each target (real proofs from a real node, altered by the test), and
// 404 for anything else. Only what a client sees of a node over the admin API; it runs
// on its own thread with plain sockets.
// Thread safety: serve() before the client runs; the server thread only reads the map.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>

namespace itc::test {

class LyingNode {
 public:
  LyingNode() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      qFatal("LyingNode: cannot listen");
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~LyingNode() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  // Answers GET `target` (path and query, as sent) with `body`. Call before clients ask.
  void serve(const std::string& target, std::string body) { bodies_[target] = std::move(body); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void run() {
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      const std::size_t sp = request.find(' ');
      const std::string target = request.substr(sp + 1, request.find(' ', sp + 1) - sp - 1);
      auto it = bodies_.find(target);
      const std::string body = it == bodies_.end() ? "{\"error\":\"no such proof\"}" : it->second;
      const std::string head = std::string("HTTP/1.1 ") +
                               (it == bodies_.end() ? "404 Not Found" : "200 OK") +
                               "\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
      const std::string reply = head + body;
      (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::map<std::string, std::string> bodies_;
  std::thread thread_;
};

}  // namespace itc::test
