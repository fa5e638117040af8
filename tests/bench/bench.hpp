// Shared helpers of itc-bench: statistics and a node built from a YAML string.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "host/metrics_registry.hpp"
#include "host/node.hpp"

namespace itc::bench {

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// A node in a fresh temp dir; removed again on destruction.
struct BenchNode {
  std::filesystem::path dir;
  std::unique_ptr<host::Node> node;
  explicit BenchNode(const std::string& yaml, bool dev) {
    dir = std::filesystem::temp_directory_path() /
          ("itc-bench-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "node.yaml") << yaml;
    auto n = host::Node::create({(dir / "node.yaml").string(), dev});
    if (!n.ok()) {
      std::fprintf(stderr, "bench node: %s\n", n.status().ToString().c_str());
      std::exit(1);
    }
    node = std::move(*n);
    if (auto st = node->start(); !st.ok()) {
      std::fprintf(stderr, "bench node start: %s\n", st.ToString().c_str());
      std::exit(1);
    }
  }
  ~BenchNode() {
    node->shutdown();
    node.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  double metric(const std::string& plugin, const std::string& name) {
    return node->metrics().value_of(plugin, name).value_or(0);
  }
};

int bench_bus();
int bench_swap();
int bench_pipeline();
int bench_consensus();
int bench_devices();

}  // namespace itc::bench
