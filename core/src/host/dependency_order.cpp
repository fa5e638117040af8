#include "host/dependency_order.hpp"

#include <algorithm>
#include <functional>
#include <set>

namespace itc::host {

DependencyPlan plan_dependencies(const std::vector<PluginDeps>& plugins,
                                 const std::map<std::string, std::string>& available) {
  DependencyPlan plan;
  std::map<std::string, std::string> provider = available;  // service -> plugin
  for (const auto& p : plugins) {
    for (const auto& s : p.provides) {
      auto [it, fresh] = provider.emplace(s, p.name);
      if (!fresh && it->second != p.name) {
        plan.failures[p.name] =
            "provides service '" + s + "', which " + it->second + " already provides";
      }
    }
  }
  // Edges: plugin -> the plugins providing what it requires (with the service that links
  // them). An optional requirement ("service?") only orders: without a provider, or with
  // one that cannot run, the plugin runs without it.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> edges;
  std::map<std::string, std::vector<std::string>> orders_after;  // optional: ordering only
  for (const auto& p : plugins) {
    for (const auto& required : p.requires_) {
      const bool optional = required.ends_with('?');
      const std::string s = optional ? required.substr(0, required.size() - 1) : required;
      auto it = provider.find(s);
      if (optional) {
        if (it != provider.end() && it->second != p.name)
          orders_after[p.name].push_back(it->second);
        continue;
      }
      if (it == provider.end()) {
        plan.failures.emplace(p.name, "requires service '" + s + "', which no plugin provides");
        continue;
      }
      if (it->second == p.name) {
        plan.failures.emplace(p.name, "requires service '" + s + "', which it provides itself");
        continue;
      }
      edges[p.name].push_back({it->second, s});
      plan.needs[p.name].push_back(it->second);
    }
  }
  // Depth-first search; a back edge is a cycle, reported with its whole chain.
  enum Mark { kNone, kVisiting, kDone };
  std::map<std::string, Mark> mark;
  std::vector<std::string> stack;
  std::set<std::string> in_plugins;
  for (const auto& p : plugins) in_plugins.insert(p.name);
  std::function<void(const std::string&)> visit = [&](const std::string& n) {
    mark[n] = kVisiting;
    stack.push_back(n);
    std::vector<std::pair<std::string, std::string>> before = edges[n];
    for (const auto& dep : orders_after[n]) before.push_back({dep, ""});
    for (const auto& [dep, service] : before) {
      if (!in_plugins.count(dep)) continue;  // already running
      if (mark[dep] == kVisiting) {
        auto from = std::find(stack.begin(), stack.end(), dep);
        std::string chain;
        for (auto it = from; it != stack.end(); ++it) chain += *it + " → ";
        chain += dep;
        for (auto it = from; it != stack.end(); ++it) {
          plan.failures[*it] = "dependency cycle: " + chain;
        }
      } else if (mark[dep] == kNone) {
        visit(dep);
      }
    }
    stack.pop_back();
    mark[n] = kDone;
    plan.order.push_back(n);  // post-order: providers first
  };
  for (const auto& p : plugins)
    if (mark[p.name] == kNone) visit(p.name);

  // Drop what cannot run, and what needs something that cannot run.
  bool changed = true;
  while (changed) {
    changed = false;
    for (const auto& n : plan.order) {
      if (plan.failures.count(n)) continue;
      for (const auto& [dep, service] : edges[n]) {
        auto f = plan.failures.find(dep);
        if (f != plan.failures.end()) {
          plan.failures[n] = "needs service '" + service + "' from " + dep + ", which cannot run";
          changed = true;
          break;
        }
      }
    }
  }
  std::erase_if(plan.order, [&](const std::string& n) { return plan.failures.count(n) > 0; });
  return plan;
}

}  // namespace itc::host
