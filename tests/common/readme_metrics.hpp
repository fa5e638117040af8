// The metric names a plugin's README documents, checked against a real node's /metrics:
// a README must name what is exported (counters itc_<name>_total, gauges itc_<name>).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace itc::testing {

// Every `itc_...` name in backticks in the README's "## Metrics" section (up to the next
// "## " heading). Empty if the file or the section is missing.
inline std::vector<std::string> readme_metric_names(const std::string& readme_path) {
  std::ifstream in(readme_path);
  std::vector<std::string> names;
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      in_section = line.rfind("## Metrics", 0) == 0;
      continue;
    }
    if (!in_section) continue;
    for (std::size_t at = line.find("`itc_"); at != std::string::npos;
         at = line.find("`itc_", at + 1)) {
      const std::size_t end = line.find('`', at + 1);
      if (end == std::string::npos) break;
      names.push_back(line.substr(at + 1, end - at - 1));
    }
  }
  return names;
}

// The names no sample of `metrics_text` (Prometheus text format) carries for
// plugin="<plugin>".
inline std::vector<std::string> missing_metrics(const std::string& metrics_text,
                                                const std::string& plugin,
                                                const std::vector<std::string>& names) {
  std::vector<std::string> missing;
  for (const std::string& name : names) {
    std::istringstream lines(metrics_text);
    std::string line;
    bool found = false;
    while (!found && std::getline(lines, line)) {
      found = line.rfind(name + "{", 0) == 0 &&
              line.find("plugin=\"" + plugin + "\"") != std::string::npos;
    }
    if (!found) missing.push_back(name);
  }
  return missing;
}

}  // namespace itc::testing
