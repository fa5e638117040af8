// Pipeline throughput: sim-lighting -> normalize -> solo -> store-sqlite on one node,
// the fleet offering more than the node can take, so back-pressure sets the pace.
#include "bench.hpp"
#include "lamp_profile.hpp"

namespace itc::bench {
namespace {

std::string yaml(bool verify) {
  std::string pkg = ITC_PACKAGE_DIR;
  return std::string("node:\n  name: bench\n  data_dir: data\n  admin: {listen: \"off\"}\n") +
         "  trusted_vendor_keys: [" + ITC_VENDOR_KEY + "]\n" +
         itc::testing::device_profiles_yaml() +
         "plugins:\n"
         "  - name: sim-lighting\n    package: " +
         pkg +
         "/sim-lighting.itcpkg\n"
         "    config: {lamps: 20000, report_interval_ms: 100, fleet_seed: bench, owner_public_key: "
         "0000000000000000000000000000000000000000000000000000000000000001}\n"
         "  - name: normalize\n    package: " +
         pkg +
         "/normalize.itcpkg\n    config:\n"
         "      verify_signatures: " +
         (verify ? "true" : "false") + "\n" + "  - name: store-sqlite\n    package: " + pkg +
         "/store-sqlite.itcpkg\n"
         "  - name: solo\n    package: " +
         pkg +
         "/solo.itcpkg\n"
         "    config: {block_interval_ms: 200, max_block_readings: 10000}\n";
}

void run(bool verify) {
  BenchNode n(yaml(verify), false);
  std::this_thread::sleep_for(std::chrono::seconds(3));  // warm-up: keys, registrations
  constexpr int kWindows = 5;
  std::vector<double> readings, frames, latency;
  for (int w = 0; w < kWindows; ++w) {
    double r0 = n.metric("solo", "readings_committed");
    double f0 = n.metric("normalize", "frames_in");
    auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(3));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    readings.push_back((n.metric("solo", "readings_committed") - r0) / secs);
    frames.push_back((n.metric("normalize", "frames_in") - f0) / secs);
    latency.push_back(n.metric("solo", "last_block_latency_seconds") * 1000.0);
  }
  std::printf(
      "  signatures %s: median %.0f readings/s persisted (%.0f frames/s), "
      "min %.0f, max %.0f; block latency median %.0f ms; height %.0f\n",
      verify ? "verified" : "not checked", median(readings), median(frames),
      *std::min_element(readings.begin(), readings.end()),
      *std::max_element(readings.begin(), readings.end()), median(latency),
      n.metric("solo", "height"));
}

}  // namespace

int bench_pipeline() {
  std::printf("pipeline: 20,000 lamps offering 200,000 frames/s, 5 windows of 3 s\n");
  run(true);
  run(false);
  return 0;
}

}  // namespace itc::bench
