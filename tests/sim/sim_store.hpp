// SimStore: the simulated LedgerStore of one slot. An append is durable when it returns
// (as LedgerStore::append promises) and survives crashes; what the node has not appended
// yet is lost by a crash (SimNode's queue). It keeps the blocks and the state entries,
// which is what a restart reads back (PbftNode::start) and what state transfer serves.
// Thread safety: none (the simulator's thread).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::sim {

class SimStore {
 public:
  // FailedPrecondition for a block that is not head+1 or does not chain to the head.
  Status append(const v1::Block& block, const v1::StateDelta& delta) {
    const auto& h = block.header();
    if (h.height() != blocks_.size() + 1 ||
        (!blocks_.empty() && h.prev_hash() != blocks_.back().hash())) {
      return Status::FailedPrecondition("block " + std::to_string(h.height()) +
                                        " does not follow the store's head " +
                                        std::to_string(blocks_.size()));
    }
    blocks_.push_back(block);
    for (const auto& e : delta.entries()) {
      if (e.value().empty()) {
        state_.erase(e.key());
      } else {
        state_[e.key()] = e.value();
      }
    }
    return Status::Ok();
  }
  std::uint64_t height() const { return blocks_.size(); }
  std::optional<v1::BlockCommitted> head() const {
    if (blocks_.empty()) return std::nullopt;
    v1::BlockCommitted c;
    *c.mutable_header() = blocks_.back().header();
    c.set_hash(blocks_.back().hash());
    *c.mutable_qc() = blocks_.back().qc();
    return c;
  }
  const std::vector<v1::Block>& blocks() const { return blocks_; }
  std::vector<v1::StateEntry> entries() const {
    std::vector<v1::StateEntry> out;
    for (const auto& [k, v] : state_) {
      out.emplace_back();
      out.back().set_key(k);
      out.back().set_value(v);
    }
    return out;
  }
  std::vector<std::string> hashes() const {
    std::vector<std::string> out;
    for (const auto& b : blocks_) out.push_back(b.hash());
    return out;
  }

 private:
  std::vector<v1::Block> blocks_;
  std::map<std::string, std::string> state_;
};

}  // namespace itc::sim
