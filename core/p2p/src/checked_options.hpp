// The checks PeerNetwork::start() makes before binding anything: every validator has a
// name, a valid and distinct Ed25519 key and a parsable address; the identity is the key of
// peers[self_index]; the limits make sense (the handshake caps leave room beyond the validators'
// slots). Errors name the field ("peers[2] (C): ..."). Thread safety: a pure function.
#pragma once

#include <vector>

#include "common/host_port.hpp"
#include "itc/p2p/peer_network.hpp"
#include "tls_identity.hpp"

namespace itc::net {

struct CheckedOptions {
  ValidatorKeys validators;
  std::vector<HostPort> addresses;  // indexed like options.peers
  HostPort listen;
};

Result<CheckedOptions> check_options(const PeerNetworkOptions& options);

}  // namespace itc::net
