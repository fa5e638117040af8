// Proofs from a LedgerStore (see itc/light/store_proofs.hpp).
#include "itc/light/store_proofs.hpp"

#include <vector>

#include "itc/chain/state.hpp"
#include "itc/light/prover.hpp"

namespace itc::light::prover {
namespace {

constexpr int kStateSnapshotTries = 3;

}  // namespace

Result<v1::Block> certified_head(LedgerStore& store) {
  auto head = store.head();
  if (!head.ok()) return head.status();
  if (!head->has_value()) return Status::NotFound("the ledger has no block yet");
  v1::Block block;
  *block.mutable_header() = (*head)->header();
  block.set_hash((*head)->hash());
  *block.mutable_qc() = (*head)->qc();
  if (block.qc().signatures_size() == 0 || block.header().state_root().empty()) {
    return Status::FailedPrecondition(
        "block " + std::to_string(block.header().height()) +
        " has no quorum certificate or state root (solo ordering): a light client has "
        "nothing to check it by");
  }
  return block;
}

Result<std::string> state_proof(LedgerStore& store, std::string_view key) {
  Status last = Status::Ok();
  for (int attempt = 0; attempt < kStateSnapshotTries; ++attempt) {
    auto head = certified_head(store);
    if (!head.ok()) return head.status();
    std::vector<v1::StateEntry> entries;
    ITC_RETURN_IF_ERROR(store.scan_state([&](const std::string& k, const std::string& v) {
      v1::StateEntry e;
      e.set_key(k);
      e.set_value(v);
      entries.push_back(std::move(e));
      return Status::Ok();
    }));
    ledger::LedgerState state{v1::Genesis()};
    last = state.restore(entries, head->header().height(), head->header().state_root());
    if (last.ok()) return state_proof(state, *head, key);
  }
  return Status::Unavailable("the state kept changing while it was read (" + last.message() +
                             "); ask again");
}

}  // namespace itc::light::prover
