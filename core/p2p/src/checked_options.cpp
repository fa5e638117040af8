#include "checked_options.hpp"

#include <set>

namespace itc::net {

Result<CheckedOptions> check_options(const PeerNetworkOptions& o) {
  auto bad = [](std::string m) { return Status::InvalidArgument("peer network: " + std::move(m)); };
  if (o.peers.empty()) return bad("peers: the validator set is empty");
  if (o.self_index >= o.peers.size()) {
    return bad("self_index " + std::to_string(o.self_index) + " is outside peers (" +
               std::to_string(o.peers.size()) + " validators)");
  }
  if (o.io_threads == 0) return bad("io_threads must be at least 1");
  if (o.max_frame_bytes == 0 || o.max_frame_bytes > 0xffffffffu) {
    return bad("max_frame_bytes must be in 1..4294967295");
  }
  if (o.max_queue_bytes_per_peer < o.max_frame_bytes + 4) {
    return bad("max_queue_bytes_per_peer (" + std::to_string(o.max_queue_bytes_per_peer) +
               ") must hold at least one frame of max_frame_bytes (" +
               std::to_string(o.max_frame_bytes) + ") and its header");
  }
  if (o.reconnect_min.count() <= 0 || o.reconnect_max < o.reconnect_min) {
    return bad("reconnect_min must be positive and at most reconnect_max");
  }
  if (o.handshake_timeout.count() <= 0) return bad("handshake_timeout must be positive");
  if (o.max_pending_handshakes < o.peers.size()) {
    return bad("max_pending_handshakes (" + std::to_string(o.max_pending_handshakes) +
               ") must exceed the " + std::to_string(o.peers.size() - 1) +
               " slots kept for the other validators");
  }
  if (o.max_pending_handshakes_per_address == 0) {
    return bad("max_pending_handshakes_per_address must be at least 1");
  }

  CheckedOptions out;
  out.validators.self = o.self_index;
  std::set<std::string> names;
  std::set<std::string> keys;
  for (std::size_t i = 0; i < o.peers.size(); ++i) {
    const PeerSpec& p = o.peers[i];
    std::string what = "peers[" + std::to_string(i) + "] (" + p.name + ")";
    if (p.name.empty()) return bad("peers[" + std::to_string(i) + "]: name is empty");
    if (!names.insert(p.name).second) return bad(what + ": name appears twice");
    auto key = crypto::Ed25519PublicKey::from_raw(p.public_key);
    if (!key.ok()) return bad(what + ": public_key: " + key.status().message());
    if (!keys.insert(p.public_key).second) return bad(what + ": public_key appears twice");
    auto address = parse_host_port(p.address, what + ": address");
    if (!address.ok())
      return Status::InvalidArgument("peer network: " + address.status().message());
    out.validators.names.push_back(p.name);
    out.validators.keys.push_back(p.public_key);
    out.addresses.push_back(std::move(*address));
  }
  if (!o.identity.valid()) return bad("identity: no Ed25519 key");
  if (o.identity.public_key() != o.peers[o.self_index].public_key) {
    return bad("identity: the key does not match peers[" + std::to_string(o.self_index) + "] (" +
               o.peers[o.self_index].name + ")");
  }
  if (o.listen_address.empty()) {
    out.listen = out.addresses[o.self_index];
  } else {
    auto listen = parse_host_port(o.listen_address, "listen_address");
    if (!listen.ok()) return Status::InvalidArgument("peer network: " + listen.status().message());
    out.listen = std::move(*listen);
  }
  return out;
}

}  // namespace itc::net
