// modbus_poll_bench: how many registers (and requests) per second the modbus plugin polls,
// loaded from its signed package by a real in-process host (real HostEnv and bus; every
// frame is signed by the DeviceGateway), from Modbus TCP servers in Node.js (npm
// modbus-serial, peers/modbus_server.js). Devices poll back to back (poll_interval_ms: 0),
// so the figures are capacity, not an offered load. In one run:
//   1 device on its own endpoint;
//   100 devices on 10 endpoints (10 ports x 10 unit ids, served by 2 processes);
//   100 devices on 1 endpoint (unit ids 1..100 behind one port, as behind a gateway).
// Every device is an energy-meter: 2 requests (9 registers) per poll.
// Usage: modbus_poll_bench [windows=5] [seconds per window=2]. Not a test; prints medians.
#include <sys/resource.h>

#include <QCoreApplication>
#include <cstdio>
#include <cstdlib>

#include "bench_node.hpp"
#include "lamp_profile.hpp"
#include "local_network.hpp"
#include "modbus_peer.hpp"

namespace {

using itc::bench::BenchNode;
using itc::bench::median;
using itc::testing::ModbusPeer;

struct Endpoint {
  std::uint16_t port;
  int units;
};

struct Figures {
  double registers = 0, requests = 0, polls = 0, min_registers = 0, max_registers = 0;
  double cpu_us_per_request = 0;  // this process (host + plugin), user + system
};

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string node_yaml(const std::vector<Endpoint>& endpoints) {
  std::string y =
      std::string("node:\n  name: modbus-bench\n  data_dir: data\n  admin: {listen: \"off\"}\n") +
      "  trusted_vendor_keys: [" + ITC_VENDOR_KEY + "]\n" + itc::testing::device_profiles_yaml() +
      "plugins:\n  - name: modbus\n    package: " + ITC_PACKAGE_DIR +
      "/modbus.itcpkg\n    config:\n"
      "      owner_public_key: 0000000000000000000000000000000000000000000000000000000000000001\n"
      "      poll_interval_ms: 0\n      timeout_ms: 2000\n      devices:\n";
  int n = 0;
  for (const Endpoint& e : endpoints) {
    for (int u = 1; u <= e.units; ++u) {
      y += "        - {id: meter-" + std::to_string(++n) +
           ", profile: energy-meter, host: 127.0.0.1, port: " + std::to_string(e.port) +
           ", unit_id: " + std::to_string(u) + "}\n";
    }
  }
  return y;
}

Figures measure(const std::vector<Endpoint>& endpoints, int windows, int seconds) {
  BenchNode n(node_yaml(endpoints), false);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // warm-up: connect, first polls
  std::vector<double> regs, reqs, polls, cpu;
  for (int w = 0; w < windows; ++w) {
    const double r0 = n.metric("modbus", "registers_read");
    const double q0 = n.metric("modbus", "requests");
    const double p0 = n.metric("modbus", "polls");
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    const double used = cpu_seconds() - c0;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    regs.push_back((n.metric("modbus", "registers_read") - r0) / secs);
    reqs.push_back((n.metric("modbus", "requests") - q0) / secs);
    polls.push_back((n.metric("modbus", "polls") - p0) / secs);
    cpu.push_back(used * 1e6 / std::max(1.0, reqs.back() * secs));
  }
  const double errors =
      n.metric("modbus", "errors_timeout") + n.metric("modbus", "errors_connection") +
      n.metric("modbus", "errors_exception") + n.metric("modbus", "errors_protocol");
  if (errors > 0) std::printf("    (%.0f errors during the run)\n", errors);
  return {median(regs),
          median(reqs),
          median(polls),
          *std::min_element(regs.begin(), regs.end()),
          *std::max_element(regs.begin(), regs.end()),
          median(cpu)};
}

void print(const char* what, const Figures& f, const Figures* base) {
  std::printf(
      "  %-26s %7.0f registers/s %6.0f requests/s %6.0f polls/s (min %.0f, max %.0f) %5.1f us "
      "CPU/request",
      what, f.registers, f.requests, f.polls, f.min_registers, f.max_registers,
      f.cpu_us_per_request);
  if (base != nullptr && base->registers > 0)
    std::printf("  = %.2fx one device", f.registers / base->registers);
  std::printf("\n");
}

std::vector<std::uint16_t> ports(int n) {
  std::vector<std::uint16_t> out;
  for (int i = 0; i < n; ++i) out.push_back(itc::testing::free_port());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  const int windows = argc > 1 ? std::atoi(argv[1]) : 5;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 2;
  std::printf(
      "modbus poll: energy-meter devices (2 requests, 9 registers per poll) polled back to "
      "back;\nmedians of %d windows of %d s after 2 s warm-up; servers: Node.js modbus-serial\n",
      windows, seconds);

  Figures one;
  {
    auto p = ports(1);
    ModbusPeer server(p, {"energy-meter:1"});
    one = measure({{p[0], 1}}, windows, seconds);
    print("1 device, 1 endpoint", one, nullptr);
  }
  {
    auto p = ports(10);
    ModbusPeer first({p.begin(), p.begin() + 5}, {"energy-meter:1-10"});
    ModbusPeer second({p.begin() + 5, p.end()}, {"energy-meter:1-10"});
    std::vector<Endpoint> endpoints;
    for (auto port : p) endpoints.push_back({port, 10});
    print("100 devices, 10 endpoints", measure(endpoints, windows, seconds), &one);
  }
  {
    auto p = ports(1);
    ModbusPeer server(p, {"energy-meter:1-100"});
    print("100 devices, 1 endpoint", measure({{p[0], 100}}, windows, seconds), &one);
  }
  return 0;
}
