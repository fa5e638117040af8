// A node's YAML config file as an operator writes it: the YAML parser and parse_node_file
// (sections into v1::NodeConfig through yaml_to_message, keys, types, limits, listen
// addresses, trusted keys, plugin entries), in core/src/host/config_file.cpp. Relative
// paths resolve under a directory that does not exist; an absolute path an input names
// (a trusted key file, a profile) is only read, as the node would.
// Input: the YAML text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "host/config_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  itc::v1::ConfigReport report;
  (void)itc::host::parse_node_file(yaml, "fuzz-node.yaml", "/nonexistent/itc-fuzz", &report);
  return 0;
}
