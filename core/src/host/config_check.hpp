// `itc-node --check-config FILE`: what starting a node from FILE would refuse, found
// without starting anything (no plugin is started, no admin port is bound).
// Thread safety: reentrant.
#pragma once

#include <string>

#include "itc/v1/node.pb.h"

namespace itc::host {

// Every problem of the node file at `path` as issues with file:line:column where the file
// has one: the file's structure (config_file.hpp), its device profiles, then each plugin
// section against the plugin's own config message and checks (the libraries are loaded
// for that, not started). `developer_mode` is `--dev`.
v1::ConfigReport check_config_file(const std::string& path, bool developer_mode);

}  // namespace itc::host
