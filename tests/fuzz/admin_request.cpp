// An admin client's request as the admin API routes it after authentication: the route
// table (methods, path parameters, percent-decoding, query strings) and every handler's
// body parsing (protobuf JSON, YAML config text) against a real, started host::Node with
// no plugins and no trusted vendor keys (so nothing a body names is ever loaded), through
// handle_admin_request in core/src/host/admin_router.cpp. A 500 answer is a crash here:
// it means a handler threw on input it should have refused with a 4xx naming the problem.
// Input: the method, a newline, the target ("/v1/devices?state=offline"), a newline, then
// the body. The node lives for the whole process (as a real one would), so a request that
// changes it (a config applied) is seen by later inputs.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "host/admin_server.hpp"
#include "host/node.hpp"

namespace {

// A started node in a temporary directory, shut down and removed at exit.
struct AdminNode {
  AdminNode() {
    std::string dir_template =
        (std::filesystem::temp_directory_path() / "itc-fuzz-admin-XXXXXX").string();
    if (::mkdtemp(dir_template.data()) == nullptr) std::abort();
    dir = dir_template;
    const std::string config = dir + "/node.yaml";
    std::ofstream(config) << "node: {name: fuzz, data_dir: " << dir << "/data}\n";
    auto created = itc::host::Node::create({config, false});
    if (!created.ok() || !(*created)->start().ok()) {
      std::fprintf(stderr, "admin_request: the node does not start\n");
      std::abort();
    }
    node = std::move(*created);
  }
  ~AdminNode() {
    (void)node->shutdown();
    node.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  std::string dir;
  std::unique_ptr<itc::host::Node> node;
};

itc::host::Node& node() {
  static AdminNode admin;
  return *admin.node;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t first = input.find('\n');
  if (first == std::string_view::npos) return 0;
  const std::size_t second = input.find('\n', first + 1);
  if (second == std::string_view::npos) return 0;
  const std::string_view method = input.substr(0, first);
  const std::string_view target = input.substr(first + 1, second - first - 1);
  const std::string body(input.substr(second + 1));
  const itc::host::AdminResponse response =
      itc::host::handle_admin_request(node(), method, target, body);
  if (response.status >= 500 && response.status != 503) {
    std::fprintf(stderr, "admin_request: %u for %.*s %.*s: %s\n", response.status,
                 static_cast<int>(method.size()), method.data(), static_cast<int>(target.size()),
                 target.data(), response.body.c_str());
    std::abort();
  }
  return 0;
}
