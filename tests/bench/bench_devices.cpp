// itc-bench devices: the host's device directory on the path of every reading — readings/s
// folded into it with 100,000 devices, the memory it holds per device, and how long the
// admin API's list and sweep take at that size (medians of repeated runs).
#include <sys/resource.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bench.hpp"
#include "host/device_directory.hpp"
#include "itc/testing/fake_env.hpp"
#include "lamp_profile.hpp"

namespace itc::bench {
namespace {

constexpr int kDevices = 100'000;
constexpr int kRounds = 5;
const char* kMetrics[] = {"power", "temperature", "dim", "on", "occupancy", "fault"};

double max_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

std::string lamp_id(int i) {
  char id[24];
  std::snprintf(id, sizeof id, "lamp-%06d", i);
  return id;
}

}  // namespace

int bench_devices() {
  testing::FakeDeviceProfiles profiles;
  profiles.put(testing::shipped_profile("dimmable-lamp"));
  std::vector<v1::Reading> frame(std::size(kMetrics));
  for (std::size_t m = 0; m < frame.size(); ++m) {
    frame[m].set_metric(kMetrics[m]);
    frame[m].set_unit(m == 0 ? "W" : "");
    frame[m].set_quality(v1::QUALITY_GOOD);
  }
  std::vector<double> rates, lists, filters, sweeps;
  double rss_per_device = 0;
  for (int round = 0; round < kRounds; ++round) {
    const double rss_before = max_rss_mb();
    host::DeviceDirectory dir(&profiles);
    std::int64_t now = 1'000'000;
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t readings = 0;
    for (int pass = 0; pass < 3; ++pass) {  // every lamp reports three times
      for (int i = 0; i < kDevices; ++i) {
        const std::string id = lamp_id(i);
        for (auto& r : frame) {
          r.set_device_id(id);
          r.set_value(i + pass);
          (void)dir.on_reading(r, now);
          ++readings;
        }
      }
      now += 1'000'000;
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rates.push_back(static_cast<double>(readings) / secs);
    if (round == 0) rss_per_device = (max_rss_mb() - rss_before) * 1024.0 * 1024.0 / kDevices;

    auto timed = [](auto&& fn) {
      const auto s = std::chrono::steady_clock::now();
      fn();
      return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s)
          .count();
    };
    host::DeviceFilter page;
    page.offset = 75'000;
    page.limit = 200;
    lists.push_back(timed([&] { (void)dir.list(page); }));
    host::DeviceFilter query;
    query.query = "lamp-0999";
    filters.push_back(timed([&] { (void)dir.list(query); }));
    sweeps.push_back(timed([&] { (void)dir.sweep(now); }));
  }
  std::printf("device directory, %d lamps x 6 metrics (medians of %d rounds)\n", kDevices, kRounds);
  std::printf("  readings folded in          %12.0f readings/s\n", median(rates));
  std::printf("  memory held (first round)   %12.0f bytes/device\n", rss_per_device);
  std::printf("  list page at offset 75,000  %12.2f ms\n", median(lists));
  std::printf("  filter by id substring      %12.2f ms\n", median(filters));
  std::printf("  stale sweep (all online)    %12.2f ms\n", median(sweeps));
  return 0;
}

}  // namespace itc::bench
