// handshake_flood_bench: what a flood of half-open TLS handshakes costs a validator. Two
// nodes on loopback (2 I/O threads each, as pbft runs them); 2,000 connections to A from
// 100 addresses (127.0.0.2 .. 127.0.0.101, 20 each), half sending a partial ClientHello,
// half nothing, held open for a second and then closed; three rounds. Prints A's resident
// set size (the whole process: both nodes) before, during and after each round, with the
// handshake counters. `uncapped` lifts the handshake caps to show what they save.
// Not a test: it prints figures.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "net_fixture.hpp"

using namespace itc;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kConnections = 2000;
constexpr std::size_t kAddresses = 100;

double rss_mb() {
  long pages = 0;
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr || std::fscanf(f, "%*s %ld", &pages) != 1) pages = 0;
  if (f != nullptr) std::fclose(f);
  return static_cast<double>(pages) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / 1e6;
}

class QuietLog : public Logger {
 public:
  void log(LogLevel level, std::string_view m) override {
    if (level >= LogLevel::kError) std::fprintf(stderr, "  [log] %.*s\n", int(m.size()), m.data());
  }
};

void wait_for(const std::function<bool()>& done) {
  for (int i = 0; i < 3000 && !done(); ++i) std::this_thread::sleep_for(10ms);
}

}  // namespace

int main(int argc, char** argv) {
  const bool uncapped = argc > 1 && std::string(argv[1]) == "uncapped";
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  test::ValidatorSet set(2);
  QuietLog log;
  test::Inbox inbox_a;
  test::Inbox inbox_b;
  auto ao = set.options(0);
  ao.io_threads = 2;
  ao.handshake_timeout = 5000ms;
  if (uncapped) ao.max_pending_handshakes = ao.max_pending_handshakes_per_address = 1'000'000;
  auto bo = set.options(1);
  bo.io_threads = 2;
  auto a = net::PeerNetwork::start(ao, inbox_a.handler(), log);
  auto b = net::PeerNetwork::start(bo, inbox_b.handler(), log);
  if (!a.ok() || !b.ok()) {
    std::fprintf(stderr, "start failed\n");
    return 1;
  }
  net::PeerNetwork& target = **a;
  for (int i = 0; i < 1000; ++i) (*b)->send(0, std::string(200, 'x'));
  wait_for([&] { return inbox_a.count(1) == 1000; });
  std::this_thread::sleep_for(200ms);
  std::printf("handshake flood: %zu connections from %zu addresses a round, caps %s\n",
              kConnections, kAddresses,
              uncapped ? "lifted"
                       : (std::to_string(ao.max_pending_handshakes) + " in all, " +
                          std::to_string(ao.max_pending_handshakes_per_address) + " per address")
                             .c_str());
  std::printf("  baseline RSS %.1f MB\n", rss_mb());

  for (int round = 1; round <= 3; ++round) {
    std::vector<int> fds;
    for (std::size_t i = 0; i < kConnections; ++i) {
      std::string source = "127.0.0." + std::to_string(2 + (i / 20) % kAddresses);
      int fd = test::connect_from(source.c_str(), target.listen_port());
      if (fd < 0) continue;
      if (i % 2 == 0)
        (void)::write(fd, test::kPartialClientHello, sizeof test::kPartialClientHello);
      fds.push_back(fd);
    }
    std::this_thread::sleep_for(1s);
    net::HandshakeStats s = target.handshake_stats();
    const double during = rss_mb();
    for (int fd : fds) ::close(fd);
    wait_for([&] { return target.handshake_stats().pending == 0; });
    std::this_thread::sleep_for(300ms);
    (*b)->send(0, "still here");
    wait_for([&] { return inbox_a.count(1) == 1000u + static_cast<unsigned>(round); });
    std::printf(
        "  round %d: during %6.1f MB (%llu pending, %llu refused)  after %6.1f MB  "
        "(link B->A %s)\n",
        round, during, static_cast<unsigned long long>(s.pending),
        static_cast<unsigned long long>(s.refused_total + s.refused_per_address), rss_mb(),
        inbox_a.count(1) == 1000u + static_cast<unsigned>(round) ? "up" : "DOWN");
  }
  return 0;
}
