#include "host/admin_retention.hpp"

namespace itc::host {

LedgerRetention* retention_of(Node& node) {
  return static_cast<LedgerRetention*>(node.find_service(LedgerRetention::kServiceName));
}

bool is_pruned(Node& node, std::uint64_t height) {
  LedgerRetention* retention = retention_of(node);
  return retention != nullptr && height >= 1 && height <= retention->pruned_through();
}

AdminResponse block_error(Node& node, std::uint64_t height, const Status& status) {
  if (status.code() == Status::Code::kFailedPrecondition && is_pruned(node, height)) {
    return admin_error(410, "Gone", status.message());
  }
  return admin_error(status);
}

Result<v1::Block> certified_header(Node& node, LedgerStore& store, std::uint64_t height) {
  Result<v1::Block> block = store.block(height);
  if (block.ok() || !is_pruned(node, height)) return block;
  auto kept = retention_of(node)->header(height);
  if (!kept.ok()) return kept.status();
  v1::Block header_only;
  *header_only.mutable_header() = kept->header();
  header_only.set_hash(kept->hash());
  if (kept->has_qc()) *header_only.mutable_qc() = kept->qc();
  return header_only;
}

}  // namespace itc::host
