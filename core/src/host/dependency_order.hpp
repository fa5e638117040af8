// Orders plugins so that every service provider starts before the plugins that require
// it. A plugin whose requirement cannot be met, or that sits on a dependency cycle, is
// reported with the reason (a cycle is named with its whole chain). A requirement
// written "service?" is optional: it orders the plugin after the service's provider when
// there is one, and is never a reason not to run (nor a need that blocks an unload).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace itc::host {

struct PluginDeps {
  std::string name;
  std::vector<std::string> provides;
  std::vector<std::string> requires_;
};

struct DependencyPlan {
  std::vector<std::string> order;                         // start order of the plugins that can run
  std::map<std::string, std::string> failures;            // plugin -> reason it cannot run
  std::map<std::string, std::vector<std::string>> needs;  // plugin -> providers it needs
};

// `available` lists services already provided by running plugins (service -> plugin).
DependencyPlan plan_dependencies(const std::vector<PluginDeps>& plugins,
                                 const std::map<std::string, std::string>& available = {});

}  // namespace itc::host
