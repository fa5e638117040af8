// Light-client proof endpoints (see admin_proofs.hpp).
#include "host/admin_proofs.hpp"

#include <charconv>
#include <vector>

#include "host/admin_retention.hpp"
#include "itc/chain/state.hpp"
#include "itc/crypto.hpp"
#include "itc/ledger/transactions.hpp"
#include "itc/light/prover.hpp"
#include "itc/light/store_proofs.hpp"
#include "itc/services/device_transactions.hpp"
#include "itc/services/ledger_store.hpp"

namespace itc::host {
namespace {

constexpr std::uint64_t kTxSearchDepth = 1024;
constexpr std::uint64_t kMaxEpochUpdates = 64;

Result<LedgerStore*> store_of(Node& node) {
  auto* store = static_cast<LedgerStore*>(node.find_service(LedgerStore::kServiceName));
  if (store == nullptr) {
    return Status::Unavailable("no running plugin provides " +
                               std::string(LedgerStore::kServiceName) +
                               " (load a store plugin, e.g. store-sqlite)");
  }
  return store;
}

Result<std::uint64_t> decimal(const std::string& text, std::string_view what) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument(std::string(what) + " must be a decimal number, got '" + text +
                                   "'");
  }
  return v;
}

AdminResponse binary(const Result<std::string>& proof) {
  if (!proof.ok()) return admin_error(proof.status());
  return AdminResponse{200, "application/octet-stream", *proof};
}

}  // namespace

AdminResponse proof_of_head(Node& node, std::string_view query) {
  auto store = store_of(node);
  if (!store.ok()) return admin_error(store.status());
  if (auto h = query_param(query, "height")) {
    auto height = decimal(*h, "height");
    if (!height.ok()) return admin_error(height.status());
    // A pruned block's header and certificate are kept: its header proof still works.
    auto block = certified_header(node, **store, *height);
    if (!block.ok()) return admin_error(block.status());
    return binary(light::prover::header_update(block->header(), block->qc()));
  }
  auto head = light::prover::certified_head(**store);
  if (!head.ok()) return admin_error(head.status());
  return binary(light::prover::header_update(head->header(), head->qc()));
}

AdminResponse light_updates(Node& node, std::string_view query) {
  const auto from_text = query_param(query, "from_epoch");
  if (!from_text) {
    return admin_error(Status::InvalidArgument(
        "from_epoch is required: the epoch the client holds (?from_epoch=N)"));
  }
  auto from = decimal(std::string(*from_text), "from_epoch");
  if (!from.ok()) return admin_error(from.status());
  auto store = store_of(node);
  if (!store.ok()) return admin_error(store.status());
  std::vector<std::string> updates;
  for (std::uint64_t epoch = *from + 1; epoch > *from && updates.size() < kMaxEpochUpdates;
       ++epoch) {
    auto value = (*store)->state_value(ledger::epoch_validators_key(epoch));
    if (!value.ok()) return admin_error(value.status());
    if (!value->has_value()) break;  // no such epoch (yet)
    v1::ValidatorEpoch set;
    if (!set.ParseFromString(**value) || set.first_height() < 2) {
      return admin_error(Status::Corruption("the state's record of epoch " + std::to_string(epoch) +
                                            " does not parse"));
    }
    auto last = certified_header(node, **store, set.first_height() - 1);
    if (!last.ok()) return admin_error(last.status());
    auto update = light::prover::epoch_update(*last, set);
    if (!update.ok()) return admin_error(update.status());
    updates.push_back(std::move(*update));
  }
  std::string body;
  auto put_u32 = [&body](std::size_t v) {
    for (int i = 3; i >= 0; --i) body.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put_u32(updates.size());
  for (const std::string& u : updates) {
    put_u32(u.size());
    body += u;
  }
  return AdminResponse{200, "application/octet-stream", std::move(body)};
}

AdminResponse proof_of_state(Node& node, const std::string& key) {
  if (key.empty() || key.size() > 256) {
    return admin_error(Status::InvalidArgument("state key must be 1 to 256 bytes, got " +
                                               std::to_string(key.size())));
  }
  auto store = store_of(node);
  if (!store.ok()) return admin_error(store.status());
  return binary(light::prover::state_proof(**store, key));
}

AdminResponse proof_of_tx(Node& node, const std::string& hex_id, std::string_view query) {
  auto id = crypto::from_hex(hex_id);
  if (!id.ok() || id->size() != crypto::kSha256Size) {
    return admin_error(Status::InvalidArgument(
        "transaction id must be 64 hex digits (SHA-256), got '" + hex_id + "'"));
  }
  auto store = store_of(node);
  if (!store.ok()) return admin_error(store.status());
  auto head = (*store)->head();
  if (!head.ok()) return admin_error(head.status());
  if (!head->has_value()) return admin_error(Status::NotFound("the ledger has no block yet"));
  std::uint64_t top = (*head)->header().height();
  std::uint64_t bottom = top > kTxSearchDepth ? top - kTxSearchDepth + 1 : 1;
  if (auto h = query_param(query, "height")) {
    auto height = decimal(*h, "height");
    if (!height.ok()) return admin_error(height.status());
    top = bottom = *height;
  }
  for (std::uint64_t h = top; h >= bottom && h > 0; --h) {
    auto block = (*store)->block(h);
    if (!block.ok() && h < top && is_pruned(node, h)) {
      return admin_error(410, "Gone",
                         "transaction " + hex_id + " is not in blocks " + std::to_string(h + 1) +
                             " to " + std::to_string(top) + "; below: " + block.status().message());
    }
    if (!block.ok()) return block_error(node, h, block.status());
    for (int i = 0; i < block->transactions_size(); ++i) {
      if (ledger::tx_id(block->transactions(i)) == *id) {
        return binary(light::prover::tx_proof(*block, i));
      }
    }
  }
  return admin_error(Status::NotFound("transaction " + hex_id + " is not in blocks " +
                                      std::to_string(bottom) + " to " + std::to_string(top) +
                                      " (name its block with ?height=)"));
}

AdminResponse proof_of_dag_tx(Node& node, const std::string& hex_id) {
  auto id = crypto::from_hex(hex_id);
  if (!id.ok() || id->size() != crypto::kSha256Size) {
    return admin_error(Status::InvalidArgument(
        "a DAG transaction id is 64 hex digits (SHA-256), got '" + hex_id + "'"));
  }
  auto* dag = static_cast<DeviceTransactions*>(node.find_service(DeviceTransactions::kServiceName));
  if (dag == nullptr) {
    return admin_error(Status::Unavailable("no running plugin provides " +
                                           std::string(DeviceTransactions::kServiceName) +
                                           " (load the ordering plugin `pbft` with `dag: true`)"));
  }
  Result<v1::DagInclusion> where = Status::Internal("DeviceTransactions::inclusion threw");
  Status st = guard("DeviceTransactions::inclusion", [&] {
    where = dag->inclusion(*id);
    return Status::Ok();
  });
  if (!st.ok()) return admin_error(st);
  if (!where.ok()) return admin_error(where.status());
  auto store = store_of(node);
  if (!store.ok()) return admin_error(store.status());
  auto block = (*store)->block(where->height());
  if (!block.ok()) return block_error(node, where->height(), block.status());
  const std::vector<std::string> path(where->path().begin(), where->path().end());
  return binary(
      light::prover::dag_tx_proof(*block, *id, where->leaf_index(), where->tree_size(), path));
}

AdminResponse proof_of_reading(Node& node, const std::string& height_text,
                               const std::string& index_text) {
  auto height = decimal(height_text, "height");
  if (!height.ok()) return admin_error(height.status());
  auto index = decimal(index_text, "reading index");
  if (!index.ok()) return admin_error(index.status());
  auto store = store_of(node);
  if (!store.ok()) return admin_error(store.status());
  auto block = (*store)->block(*height);
  if (!block.ok()) return block_error(node, *height, block.status());
  if (*index >= static_cast<std::uint64_t>(block->readings_size())) {
    return admin_error(Status::NotFound("block " + height_text + " has " +
                                        std::to_string(block->readings_size()) +
                                        " readings, no index " + index_text));
  }
  return binary(light::prover::reading_proof(*block, static_cast<int>(*index)));
}

}  // namespace itc::host
