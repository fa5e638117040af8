// Proofs from a node's LedgerStore (the store plugins' service), for whoever serves or
// attaches them: the admin API's /v1/proofs/... endpoints and the control plugin, which
// attaches an ownership proof to each command it forwards. What they build proves
// itself; a client trusts none of it until libitc-light has checked it.
// Thread safety: as LedgerStore (any thread).
#pragma once

#include <string>
#include <string_view>

#include "itc/services/ledger_store.hpp"
#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::light::prover {

// The newest block as a Block (header, hash, certificate). NotFound on an empty ledger;
// FailedPrecondition when its blocks carry no certificate or state root (solo ordering:
// a light client has nothing to check it by).
Result<v1::Block> certified_head(LedgerStore& store);

// A state proof (kind 4) for `key` against the store's newest certified block. The head
// and the state are read separately: a block committed in between shows as a root
// mismatch and the pair is read again (a few times; then Unavailable). Reads the whole
// state: its cost grows with the state's size.
Result<std::string> state_proof(LedgerStore& store, std::string_view key);

}  // namespace itc::light::prover
