// Bus throughput and latency: one publisher, one subscriber, Reading messages.
#include <cstdlib>

#include "bench.hpp"
#include "host/message_bus.hpp"
#include "itc/v1/device.pb.h"

namespace itc::bench {

namespace {

struct BusRun {
  double rate = 0, p50_us = 0, p99_us = 0;
};

// A bench cannot go on without its bus: a failure ends the run, saying why.
void must(const Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "bench bus: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

// Publishes `messages` Readings; `paced_rate` > 0 spaces them evenly at that rate,
// 0 publishes as fast as back-pressure allows.
BusRun run_once(int messages, double paced_rate) {
  host::MessageBus bus(8192, nullptr);
  std::vector<double> latency_us;
  latency_us.reserve(messages);
  std::atomic<int> received{0};
  auto now_ns = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  must(bus.subscribe_as("consumer", false, "bench", v1::Reading::descriptor()->full_name(),
                        [&](const MessagePtr& m) {
                          const auto& r = static_cast<const v1::Reading&>(*m);
                          latency_us.push_back(static_cast<double>(now_ns() - r.sampled_at_us()) /
                                               1000.0);
                          received.fetch_add(1, std::memory_order_release);
                        }),
       "subscribe");
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < messages; ++i) {
    if (paced_rate > 0) {
      auto due = start + std::chrono::nanoseconds(static_cast<std::int64_t>(i * 1e9 / paced_rate));
      while (std::chrono::steady_clock::now() < due) {
      }
    }
    v1::Reading r;
    r.set_device_id("lamp-000001");
    r.set_metric("power");
    r.set_value(i);
    r.set_sampled_at_us(now_ns());  // (ns here, for latency)
    must(bus.publish_value("bench", std::move(r)), "publish");
  }
  while (received.load(std::memory_order_acquire) < messages) std::this_thread::yield();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  bus.remove_owner("consumer");
  return {messages / secs, percentile(latency_us, 0.50), percentile(latency_us, 0.99)};
}

}  // namespace

int bench_bus() {
  constexpr int kRuns = 5;
  std::printf("bus: 1 publisher -> 1 subscriber, Reading messages, queue 8192, %d runs each\n",
              kRuns);
  auto report = [&](const char* what, int messages, double paced) {
    std::vector<double> rates, p50s, p99s;
    for (int run = 0; run < kRuns; ++run) {
      BusRun r = run_once(messages, paced);
      rates.push_back(r.rate);
      p50s.push_back(r.p50_us);
      p99s.push_back(r.p99_us);
    }
    std::printf("  %-26s median %.0f msg/s; latency p50 %.1f us, p99 %.1f us (medians of runs)\n",
                what, median(rates), median(p50s), median(p99s));
  };
  report("saturated (queue full):", 300000, 0);
  report("paced at 50,000 msg/s:", 100000, 50000);
  return 0;
}

}  // namespace itc::bench
