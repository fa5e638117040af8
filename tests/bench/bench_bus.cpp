// Bus throughput and latency: one publisher, one subscriber, Reading messages.
#include "bench.hpp"
#include "host/message_bus.hpp"
#include "itc/v1/device.pb.h"

namespace itc::bench {

int bench_bus() {
  constexpr int kRuns = 5;
  constexpr int kMessages = 300000;
  std::vector<double> rates, p50s, p99s;
  for (int run = 0; run < kRuns; ++run) {
    host::MessageBus bus(8192, nullptr);
    std::vector<double> latency_us;
    latency_us.reserve(kMessages);
    std::atomic<int> received{0};
    auto now_ns = [] {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
    bus.subscribe_as("consumer", false, "bench", v1::Reading::descriptor()->full_name(),
                     [&](const MessagePtr& m) {
                       const auto& r = static_cast<const v1::Reading&>(*m);
                       latency_us.push_back(static_cast<double>(now_ns() - r.sampled_at_us()) / 1000.0);
                       received.fetch_add(1, std::memory_order_release);
                     });
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kMessages; ++i) {
      v1::Reading r;
      r.set_device_id("lamp-000001");
      r.set_metric("power");
      r.set_value(i);
      r.set_sampled_at_us(now_ns());  // (ns here, for latency)
      bus.publish_value("bench", std::move(r));
    }
    while (received.load(std::memory_order_acquire) < kMessages) std::this_thread::yield();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    bus.remove_owner("consumer");
    rates.push_back(kMessages / secs);
    p50s.push_back(percentile(latency_us, 0.50));
    p99s.push_back(percentile(latency_us, 0.99));
  }
  std::printf("bus: %d runs x %d Reading messages, 1 publisher -> 1 subscriber (queue 8192)\n",
              kRuns, kMessages);
  std::printf("  throughput  median %.0f msg/s (min %.0f, max %.0f)\n", median(rates),
              *std::min_element(rates.begin(), rates.end()),
              *std::max_element(rates.begin(), rates.end()));
  std::printf("  latency     median of run p50 %.1f us, median of run p99 %.1f us\n",
              median(p50s), median(p99s));
  return 0;
}

}  // namespace itc::bench
