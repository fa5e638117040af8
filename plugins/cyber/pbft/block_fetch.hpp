// BlockFetch: the state-transfer request a replica has in flight, and where to resume.
//
// A replica behind a proven height fetches committed blocks kChunk at a time from
// executed+1, one request at a time: a request is re-sent only after a second without an
// answer, so a slow or lying peer costs one request a second. It asks for a whole chunk
// (the peer sends what it has, which may be more than it last claimed). While the store
// has no room for a chunk, the peer that served the last one is remembered and asked
// again once the store catches up (Replica::on_durable).
// Thread safety: none (the replica's protocol thread). Times are steady-clock readings.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace itc::pbft {

class BlockFetch {
 public:
  static constexpr std::uint64_t kChunk = 64;

  // The last height to ask for now (from `executed` + 1), or nullopt while a request
  // for blocks above `executed` is younger than a second.
  std::optional<std::uint64_t> next(std::uint64_t executed, std::chrono::nanoseconds now) {
    if (target_ > executed && now - sent_ < std::chrono::seconds(1)) return std::nullopt;
    target_ = executed + kChunk;
    sent_ = now;
    return target_;
  }
  // Blocks came: the next request need not wait.
  void answered() { target_ = 0; }

  // The store has no room for the next chunk: resume with `peer` once it has.
  void pause(std::uint32_t peer) { resume_peer_ = peer; }
  // The peer to resume with (forgotten; the next request goes out at once), if paused.
  std::optional<std::uint32_t> take_resume_peer() {
    auto peer = resume_peer_;
    if (peer) {
      resume_peer_.reset();
      target_ = 0;
    }
    return peer;
  }
  bool paused() const { return resume_peer_.has_value(); }

 private:
  std::chrono::nanoseconds sent_{0};
  std::uint64_t target_ = 0;
  std::optional<std::uint32_t> resume_peer_;
};

}  // namespace itc::pbft
