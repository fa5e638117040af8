// Hot-swap pause: a counter plugin is swapped between two builds while a ticker sends it
// 10,000 msg/s; reports how long messages were held and checks that none was lost.
#include "bench.hpp"

namespace itc::bench {

int bench_swap() {
  const std::string dir = ITC_TEST_PLUGIN_DIR;
  std::string yaml =
      "node:\n  name: bench\n  data_dir: data\n  admin: {listen: \"off\"}\n"
      "plugins:\n  - name: counter\n    library: " +
      dir +
      "/libcounter-v1.so\n"
      "  - name: ticker\n    library: " +
      dir +
      "/libticker.so\n"
      "    config: {rate_per_s: 10000}\n";
  BenchNode n(yaml, true);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  constexpr int kSwaps = 30;
  std::vector<double> held_ms, total_ms;
  for (int i = 0; i < kSwaps; ++i) {
    v1::SwapRequest req;
    req.set_package(dir + (i % 2 == 0 ? "/libcounter-v2.so" : "/libcounter-v1.so"));
    auto t0 = std::chrono::steady_clock::now();
    auto st = n.node->swap("counter", req);
    total_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!st.ok()) {
      std::fprintf(stderr, "swap %d failed: %s\n", i, st.ToString().c_str());
      return 1;
    }
    held_ms.push_back(n.metric("counter", "swap_hold_seconds") * 1000.0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  (void)n.node->unload("ticker");
  double sent = n.metric("ticker", "sent");
  for (int i = 0; i < 500 && n.metric("counter", "received") < sent; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  double received = n.metric("counter", "received");
  std::printf("swap: %d hot swaps of a consumer under 10,000 msg/s\n", kSwaps);
  std::printf("  messages held   median %.3f ms, max %.3f ms\n", median(held_ms),
              *std::max_element(held_ms.begin(), held_ms.end()));
  std::printf(
      "  whole swap      median %.2f ms (load copy + initialise + drain + state + commit)\n",
      median(total_ms));
  std::printf("  delivered       %.0f of %.0f sent, duplicates %.0f, out of order %.0f\n", received,
              sent, n.metric("counter", "duplicates"), n.metric("counter", "out_of_order"));
  return received == sent ? 0 : 1;
}

}  // namespace itc::bench
