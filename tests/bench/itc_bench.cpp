// itc-bench {bus|swap|pipeline|consensus|devices|dag|dag-network|analytics|all}: prints
// medians over repeated runs, measured in one process so ratios between them hold on a shared,
// noisy machine.
#include <spdlog/spdlog.h>

#include <cstring>

#include "bench.hpp"

int main(int argc, char** argv) {
  std::string what = argc > 1 ? argv[1] : "all";
  if (what == "--help" || what == "-h") {
    std::printf(
        "usage: itc-bench [bus|swap|pipeline|consensus|devices|dag|dag-network|analytics|all]\n"
        "  bus       messages/s and latency between two bus endpoints\n"
        "  swap      how long messages are held during a hot swap under 10,000 msg/s\n"
        "  pipeline  readings/s from sim-lighting through normalize into persisted blocks\n"
        "  consensus committed requests/s and commit latency of 4 PBFT validators\n"
        "  devices   the host's device directory with 100,000 lamps: readings/s, memory\n"
        "  dag       the DAG engine: admitted txs/s vs the Ed25519 ceiling, finality, PoW\n"
        "  dag-network  4 validators carrying the DAG: device txs final/s, issue-to-final\n"
        "            p50/p99, beside the Ed25519 ceiling\n"
        "  analytics commitments/s, sum verification, HyperLogLog vs Redis PFADD, Bloom\n");
    return 0;
  }
  spdlog::set_level(spdlog::level::warn);
  int rc = 0;
  if (what == "bus" || what == "all") rc |= itc::bench::bench_bus();
  if (what == "swap" || what == "all") rc |= itc::bench::bench_swap();
  if (what == "pipeline" || what == "all") rc |= itc::bench::bench_pipeline();
  if (what == "consensus" || what == "all") rc |= itc::bench::bench_consensus();
  if (what == "devices" || what == "all") rc |= itc::bench::bench_devices();
  if (what == "dag" || what == "all") rc |= itc::bench::bench_dag();
  if (what == "dag-network" || what == "all") rc |= itc::bench::bench_dag_network();
  if (what == "analytics" || what == "all") rc |= itc::bench::bench_analytics();
  return rc;
}
