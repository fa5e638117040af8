// The benchmarks of itc-bench; their statistics and node are tests/common/bench_node.hpp.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_node.hpp"
#include "host/metrics_registry.hpp"

namespace itc::bench {

int bench_bus();
int bench_swap();
int bench_pipeline();
int bench_consensus();
int bench_devices();
int bench_dag();
int bench_dag_network();
int bench_analytics();

}  // namespace itc::bench
