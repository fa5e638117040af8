// SolidificationBuffer: transactions that passed admission but name parents this node
// does not hold yet. They wait (at most `capacity`, and only while their issue time is
// within the window) until the parents arrive; missing() lists what the node should fetch
// from its peers.
// Thread safety: not synchronised; the caller serialises (DagEngine's contract).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "transaction.hpp"

namespace itc::dag {

class SolidificationBuffer {
 public:
  explicit SolidificationBuffer(std::size_t capacity) : capacity_(capacity) {}

  bool full() const { return parked_.size() >= capacity_; }
  bool contains(std::string_view id) const { return parked_.count(std::string(id)) > 0; }
  std::size_t size() const { return parked_.size(); }

  // Holds `tx` until every id in `missing` (its parents not yet held) has arrived.
  void park(DecodedTransaction tx, const std::vector<std::string>& missing);
  // `id` is now held: returns the transactions that waited for it and for nothing else
  // (they leave the buffer).
  std::vector<DecodedTransaction> arrived(const std::string& id);
  // Ids wanted by waiting transactions that nobody has sent (not themselves waiting).
  std::vector<std::string> missing() const;
  // Drops the transactions issued before `oldest_us` (they would be refused now);
  // returns how many.
  std::size_t expire(std::int64_t oldest_us);

 private:
  struct Parked {
    DecodedTransaction tx;
    std::size_t missing = 0;
  };
  void forget(const std::string& id);

  std::size_t capacity_;
  std::unordered_map<std::string, Parked> parked_;
  std::unordered_map<std::string, std::vector<std::string>> waiting_;  // missing id -> parked
  std::deque<std::string> order_;  // parked ids in arrival order
};

}  // namespace itc::dag
