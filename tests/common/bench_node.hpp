// What benchmarks share: medians and percentiles of repeated runs, and BenchNode — an
// InProcessNode started from a YAML string that ends the benchmark (exit 1) if it cannot
// run.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "in_process_node.hpp"

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

// A started node in a fresh temp dir, shut down and removed on destruction.
struct BenchNode {
  testing::InProcessNode fixture;
  host::Node* node = nullptr;
  BenchNode(const std::string& yaml, bool developer_mode) {
    if (auto st = fixture.create(yaml, developer_mode); !st.ok()) {
      std::fprintf(stderr, "bench node: %s\n", st.ToString().c_str());
      std::exit(1);
    }
    node = fixture.node.get();
    if (auto st = node->start(); !st.ok()) {
      std::fprintf(stderr, "bench node start: %s\n", st.ToString().c_str());
      std::exit(1);
    }
  }
  // The metric's value, 0 if the node has none.
  double metric(const std::string& plugin, const std::string& name) {
    const double v = fixture.metric(plugin, name);
    return v == -1 ? 0 : v;
  }
};

}  // namespace itc::bench
