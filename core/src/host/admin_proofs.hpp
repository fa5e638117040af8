// The admin API's light-client endpoints: proofs in the compact binary format of
// schemas/light-proof-format.md (application/octet-stream), built from the node's
// LedgerStore with itc_light_prover. Nothing here is trusted by the client: it checks
// every proof against its own validator set and trusted header.
// Thread safety: as the admin handlers (any worker; the store serialises its reads).
#pragma once

#include <string>
#include <string_view>

#include "host/admin_routes.hpp"
#include "host/admin_server.hpp"
#include "host/node.hpp"

namespace itc::host {

// GET /v1/proofs/header[?height=H]: the newest (or block H's) header and quorum
// certificate (kind 1).
AdminResponse proof_of_head(Node& node, std::string_view query);
// GET /v1/proofs/state/{key}: the key (raw bytes, percent-encoded in the path) against
// the newest block's state_root (kind 4): value or absence.
AdminResponse proof_of_state(Node& node, const std::string& key);
// GET /v1/proofs/tx/{hex id}?height=H: the transaction's inclusion in block H (kind 2);
// without ?height the newest kTxSearchDepth blocks are searched.
AdminResponse proof_of_tx(Node& node, const std::string& hex_id, std::string_view query);
// GET /v1/dag/tx/{hex id}/proof: a final device transaction in its milestone's inclusion
// tree, with the certified block that carries the milestone (kind 5).
AdminResponse proof_of_dag_tx(Node& node, const std::string& hex_id);
// GET /v1/light/updates?from_epoch=N: the epoch updates (kind 6) into epochs N+1, N+2, ...
// (at most kMaxEpochUpdates; a client asks again from where it got to), as the list of
// schemas/light-proof-format.md ("Epoch update lists"); none when N is the current epoch.
AdminResponse light_updates(Node& node, std::string_view query);
// GET /v1/proofs/reading/{height}/{index}: reading `index` of block `height` (kind 3).
AdminResponse proof_of_reading(Node& node, const std::string& height, const std::string& index);

}  // namespace itc::host
